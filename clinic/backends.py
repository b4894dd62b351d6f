"""Authentication backend: Django's ModelBackend, with a user's permissions read in one query."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackendOneQuery(ModelBackend):
    """ModelBackend whose permission check costs one query instead of two.

    Every doctor page checks `triage.view_queue`; Django's backend reads the
    user's own permissions and her groups' permissions with a query each.
    Here one query reads both, cached on the user for the request as Django
    does. Superusers and inactive users behave exactly as in ModelBackend.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            granted = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = granted.order_by().values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache
