from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import notify

from ..factories import UserFactory


def test_an_event_is_notified_and_emailed_once_per_user(holder, buyer, mailoutbox, django_capture_on_commit_callbacks):
    colleague = UserFactory(organisation=holder.organisation, email="colleague@example.cn")
    holder.email = "holder@example.cn"
    holder.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(key="fee-due:7:2027", kind="annual_fee", title="年费将于60天内到期", body="ZL2019…",
                       url="/deals/7/", organisations=[holder.organisation], users=[buyer])
    assert {n.recipient for n in first} == {holder, colleague, buyer}
    assert sorted(m.to[0] for m in mailoutbox) == ["colleague@example.cn", "holder@example.cn"]  # buyer has no e-mail
    assert "http://127.0.0.1:8000/deals/7/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = notify(key="fee-due:7:2027", kind="annual_fee", title="年费将于60天内到期",
                       organisations=[holder.organisation], users=[buyer])
    assert again == [] and len(mailoutbox) == 2
    assert Notification.objects.count() == 3


def test_users_read_only_their_own_notifications(holder, outsider):
    notify(key="k1", kind="x", title="给持有人 / for the holder", users=[holder])
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/v1/notifications/").json()["count"] == 0
    api.force_authenticate(holder)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 1 and body["results"][0]["read_at"] is None
    assert api.post("/api/v1/notifications/mark_read/", {}, format="json").json() == {"marked": 1}
    assert Notification.objects.get().read_at is not None
