from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import RedirectURLMixin
from django.views.generic import CreateView


class SignupView(RedirectURLMixin, CreateView):
    """Django's own UserCreationForm; the new user is signed in and sent back where they were."""

    form_class = UserCreationForm
    template_name = "registration/signup.html"
    next_page = "rooms:index"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=self.get_redirect_url())

    def form_valid(self, form):
        response = super().form_valid(form)
        login(self.request, self.object)
        return response
