"""Sign in and out with Django's auth views and our templates."""

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "frontend/auth/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the header's 退出 button posts here."""
