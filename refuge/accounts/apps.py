from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "refuge.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_out, user_login_failed

        from refuge.accounts import signin

        # Sign-in events are written to the trail as they happen, wherever they come from.
        user_login_failed.connect(signin.on_login_failed, dispatch_uid="refuge-login-failed")
        user_locked_out.connect(signin.on_locked_out, dispatch_uid="refuge-locked-out")
        user_logged_out.connect(signin.on_logged_out, dispatch_uid="refuge-logged-out")
