from ninja import NinjaAPI

api = NinjaAPI(title="Relaydesk API", version="1")
