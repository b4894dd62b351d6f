"""Path converters: ids that the database can hold."""

from django.urls.converters import IntConverter

# The largest id a 64-bit primary key (BigAutoField) holds, on PostgreSQL as on SQLite.
MAX_ID = 2**63 - 1


class IdConverter(IntConverter):
    """`<id:pk>`: a non-negative integer no larger than a primary key can be.

    Django's `<int:pk>` lets any number of digits through; on SQLite a number past
    2⁶³ − 1 makes the query itself fail (OverflowError), a server error instead of
    a 404. A `ValueError` here makes the URL simply not match.
    """

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("id out of range")
        return number
