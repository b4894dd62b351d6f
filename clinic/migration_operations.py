"""Migration operations that keep a large table open for writes while its schema changes."""

from django.db import NotSupportedError
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    """Build an index without blocking writes: `CREATE INDEX CONCURRENTLY` on PostgreSQL, where a
    plain `CREATE INDEX` would hold every insert and update of the table until it is built (seconds
    to minutes at a million cases); a plain index elsewhere (SQLite, whose tables are small).

    PostgreSQL cannot build an index concurrently inside a transaction: the migration says
    `atomic = False` (django.contrib.postgres's operation of the same name, which refuses SQLite).
    """

    def describe(self):
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _concurrently(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


def _concurrently(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError("An index is built concurrently outside a transaction: set atomic = False.")
    return True
