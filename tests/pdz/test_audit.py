import pytest

from pdz.audit import history, log_action
from pdz.models import AuditLog
from tests.pdz.factories import UserFactory


@pytest.mark.django_db
def test_log_action_records_who_did_what_to_which_object():
    clerk = UserFactory(full_name="Carla Verdi")
    target = UserFactory(full_name="Mario Rossi")

    log_action(target, "utente.invitato", user=clerk, data={"ruolo": "sindaco"})

    entry = AuditLog.objects.get()
    assert entry.user == clerk
    assert entry.action == "utente.invitato"
    assert entry.target == target
    assert entry.object_repr == "Mario Rossi"
    assert entry.data == {"ruolo": "sindaco"}
    assert entry.created_at is not None


@pytest.mark.django_db
def test_history_lists_the_entries_of_one_object_newest_first():
    first, other = UserFactory(), UserFactory()
    log_action(first, "a.uno")
    log_action(other, "b.altro")
    log_action(first, "a.due")

    assert [e.action for e in history(first)] == ["a.due", "a.uno"]


@pytest.mark.django_db
def test_anonymous_actions_are_logged_without_a_user():
    from django.contrib.auth.models import AnonymousUser

    entry = log_action(None, "modulo.inviato", user=AnonymousUser())
    assert entry.user is None
    assert entry.content_type is None
