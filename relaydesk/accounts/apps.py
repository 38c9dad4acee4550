from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "relaydesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from relaydesk.accounts import tasks  # noqa: F401  (registers the periodic pruning)
