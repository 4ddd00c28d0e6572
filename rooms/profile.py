"""The profile page: a user's email address, their time zone and, per room they can see, what
they hear of it.

One form over one model (Profile), so a new setting is one field more; the email address
itself stays on Django's User, where Django's email code looks for it.
"""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.views.generic import UpdateView

from rooms import time_zones
from rooms.local_time import remember
from rooms.models import Profile, Subscription
from rooms.unread import room_links


class ProfileForm(forms.ModelForm):
    email = forms.EmailField(
        required=False,
        help_text="Only for an email when you are mentioned or written to while away.",
    )
    # Labelled with each zone's offset now, so the choices are made per form, not once.
    time_zone = forms.ChoiceField(
        choices=time_zones.choices,
        help_text="Every time you see is shown in it.",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone on the list."},
    )

    class Meta:
        model = Profile
        fields = ["email", "time_zone"]  # email and levels are kept elsewhere

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        self.fields["email"].initial = user.email
        self.links = room_links(user)
        for link in self.links:
            prefix = "@ " if link.is_direct else "# "
            self.fields[f"level-{link.pk}"] = forms.ChoiceField(
                label=prefix + link.label, choices=Subscription.LEVELS, initial=link.level
            )

    def save(self, commit=True):
        profile = super().save()
        profile.user.email = self.cleaned_data["email"]
        profile.user.save(update_fields=["email"])
        levels = [
            Subscription(
                user=profile.user, room_id=link.pk, level=self.cleaned_data[f"level-{link.pk}"]
            )
            for link in self.links
        ]
        Subscription.objects.bulk_create(
            levels, update_conflicts=True, unique_fields=["user", "room"], update_fields=["level"]
        )
        return profile

    def level(self, link):
        return self.cleaned_data[f"level-{link.pk}"]


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "registration/profile.html"

    def get_object(self, queryset=None):
        return Profile.objects.get_or_create(user=self.request.user)[0]

    def form_valid(self, form):
        remember(self.request, form.cleaned_data["time_zone"])
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("profile") + "?saved=1"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, saved="saved" in self.request.GET)
