from django.contrib.contenttypes.models import ContentType

from pdz.models import AuditLog


def log_action(obj, action, *, user=None, data=None):
    """Record that ``user`` did ``action`` (a dotted code, e.g. "adesione.ammessa") to ``obj``.

    ``obj`` may be None for actions that concern no single object. Anonymous users are
    recorded as no user. Call it inside the transaction that makes the change.
    """
    if user is not None and not user.is_authenticated:
        user = None
    entry = AuditLog(action=action, user=user, data=data or {})
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:300]
    entry.save()
    return entry


def history(obj):
    """The audit entries of one object, newest first."""
    return AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("user")
