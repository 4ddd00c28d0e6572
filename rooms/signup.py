from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import RedirectURLMixin
from django.views.generic import CreateView

from rooms import limits


class SignupForm(UserCreationForm):
    """Django's own sign-up form, with an optional email address for away emails."""

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]
        help_texts = {"email": "Optional: for an email when you are mentioned while away."}


class SignupView(RedirectURLMixin, CreateView):
    """Django's own UserCreationForm (with an optional email); the new user is signed in and
    sent back where they were.

    Every attempt from one address is counted (settings.SIGNUP_ATTEMPT_RATE), so "already
    exists" cannot be asked about name after name; accounts created are limited apart
    (settings.SIGNUP_RATE).
    """

    form_class = SignupForm
    template_name = "registration/signup.html"
    next_page = "rooms:index"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.get_redirect_url())

    def post(self, request, *args, **kwargs):
        try:
            limits.count(f"signup-attempt:{self.client_address}", settings.SIGNUP_ATTEMPT_RATE)
        except limits.RateLimited as limited:
            # An unbound form: validating the typed name would say whether it is taken.
            form = self.form_class(initial={"username": request.POST.get("username", "")})
            self.object = None
            return self.refuse(form, f"Too many sign-up attempts from your address. {limited}")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            limits.count(f"signup:{self.client_address}", settings.SIGNUP_RATE)
        except limits.RateLimited as limited:
            return self.refuse(form, f"Too many new accounts from your address. {limited}")
        response = super().form_valid(form)
        login(self.request, self.object, backend="django.contrib.auth.backends.ModelBackend")
        return response

    @property
    def client_address(self):
        return self.request.META["REMOTE_ADDR"]

    def refuse(self, form, reason):
        context = self.get_context_data(form=form, refusal=reason)
        return self.render_to_response(context, status=429)
