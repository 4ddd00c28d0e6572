from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import RedirectURLMixin
from django.views.generic import CreateView

from rooms import limits


class SignupView(RedirectURLMixin, CreateView):
    """Django's own UserCreationForm; the new user is signed in and sent back where they were.

    Accounts created from one address are rate-limited (settings.SIGNUP_RATE).
    """

    form_class = UserCreationForm
    template_name = "registration/signup.html"
    next_page = "rooms:index"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.get_redirect_url())

    def form_valid(self, form):
        try:
            limits.count(f"signup:{self.request.META['REMOTE_ADDR']}", settings.SIGNUP_RATE)
        except limits.RateLimited as limited:
            form.add_error(None, f"Too many new accounts from your address. {limited}")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().form_valid(form)
        login(self.request, self.object, backend="django.contrib.auth.backends.ModelBackend")
        return response
