from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pdz import mail, todo
from pdz.forms import ProfileForm


def home(request):
    context = {"public_blocks": todo.public_blocks(request)}
    if request.user.is_authenticated:
        context["todo_blocks"] = todo.todo_blocks(request)
    return render(request, "home.html", context)


@login_required
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form})


@never_cache
def healthz(request):
    """200 when the database (and Redis, when configured) answer; 503 with the reason if not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as e:
        checks["database"] = f"error: {e.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 10)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error: no echo"
        except Exception as e:
            checks["redis"] = f"error: {e.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _outbox_allowed(request):
    if settings.EMAIL_BACKEND != "pdz.mail.OutboxBackend":
        return False
    return settings.DEBUG or request.user.is_superuser


def outbox(request):
    if not _outbox_allowed(request):
        raise Http404
    return render(request, "outbox/list.html", {"outbox": mail.outbox_messages()})


def outbox_message(request, message_id):
    if not _outbox_allowed(request):
        raise Http404
    message = mail.read_outbox_message(message_id)
    if message is None:
        raise Http404
    body = message.get_body(preferencelist=("plain",))
    return render(
        request,
        "outbox/detail.html",
        {
            "message": message,
            "text": body.get_content() if body else "",
            "attachments": [part.get_filename() for part in message.iter_attachments()],
        },
    )
