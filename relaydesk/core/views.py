from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """The process is alive and answering."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """The database and the task queue can be reached."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready", with the reason
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()
        checks["queue"] = "ok"
    except Exception as exc:
        checks["queue"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )
