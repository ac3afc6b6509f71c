from allauth.account.adapter import DefaultAccountAdapter

from pdz import emails


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Account e-mails (confirmation, password reset…) leave through the Celery task."""
        emails.enqueue(self.render_mail(template_prefix, email, context))
