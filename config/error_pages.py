"""Django's error handlers: JSON under /api/ (what the schema documents), the site's pages elsewhere."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from frontend.views.common import forbidden as forbidden_page

API_MESSAGES = {
    400: "请求无效 / Bad request",
    403: "无权操作 / Not allowed",
    404: "未找到 / Not found",
    500: "服务器内部错误，请稍后再试 / Internal error: please try again later",
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api(status: int) -> JsonResponse:
    return JsonResponse({"detail": API_MESSAGES[status]}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api(400)
    return render(request, "frontend/error.html", {"status": 400}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api(403)
    return forbidden_page(request, exception)  # the 403 page with the service's message


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api(404)
    return render(request, "frontend/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api(500)
    return render(request, "frontend/error.html", {"status": 500}, status=500)
