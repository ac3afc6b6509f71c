"""Demo people: one user per role, all with the same password (see README)."""

from allauth.account.models import EmailAddress

from pdz.models import User

PASSWORD = "demo-pdz-2026"

# email, full name, what they are in the demo (the role itself is given by the ambiti app)
PEOPLE = [
    ("admin@example.org", "Amministrazione Regionale", "superuser: every ambito, Django admin"),
    ("ufficio.piano@example.org", "Chiara Bertoldi", "Ufficio di Piano staff"),
    ("coordinatore@example.org", "Paolo Ghidetti", "coordinatore d'ambito"),
    ("sindaco@example.org", "Filippo Bongiovanni", "mayor (sindaco)"),
    ("referente@example.org", "Elena Ruggeri", "third-sector referente"),
]


def seed(stdout):
    for email, full_name, _ in PEOPLE:
        persona(email, full_name, superuser=email.startswith("admin@"))
    stdout.write(f"Demo users: {len(PEOPLE)}")


def persona(email, full_name, *, superuser=False):
    """A demo user with a confirmed address and the demo password, as it was first seeded."""
    user, _created = User.objects.update_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "is_active": True,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def print_credentials(stdout):
    stdout.write("\nSign in at http://127.0.0.1:8000/account/login/ with:")
    for email, _full_name, role in PEOPLE:
        stdout.write(f"  {email:<28} {PASSWORD}   ({role})")
