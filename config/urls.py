from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rooms.profile import ProfileView
from rooms.signup import SignupView

# Form pages answer what a browser sends them; OPTIONS, TRACE and the rest get a 405.
FORM_PAGE = {"http_method_names": ["get", "head", "post"]}

# Only the account pages Socico uses. An email address is optional and only for away emails,
# so there is no password reset by email.
# The password templates have names of their own: the admin's pages keep the admin's.
account_urls = [
    path("login/", auth_views.LoginView.as_view(**FORM_PAGE), name="login"),
    path("logout/", auth_views.LogoutView.as_view(http_method_names=["post"]), name="logout"),
    path("signup/", SignupView.as_view(**FORM_PAGE), name="signup"),
    path("profile/", ProfileView.as_view(**FORM_PAGE), name="profile"),
    path(
        "password_change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html", **FORM_PAGE
        ),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html", http_method_names=["get", "head"]
        ),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("", include("rooms.urls")),
]
