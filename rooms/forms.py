from django import forms

from rooms.bidi import without_bidi_controls
from rooms.models import MESSAGE_MAX_LENGTH, Message


class MessageForm(forms.ModelForm):
    """The one truth about a valid message, for the POST path and the socket alike."""

    class Meta:
        model = Message
        fields = ["body"]
        widgets = {
            "body": forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "placeholder": "Write a message…",
                    "aria-label": "Message",
                    # Focus stays in the composer when a sent message swaps a fresh one in.
                    "autofocus": True,
                    "class": "min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 py-2"
                    " shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2"
                    " focus:ring-indigo-200",
                }
            )
        }
        error_messages = {
            "body": {
                "required": "Write something before sending.",
                "max_length": (
                    f"Messages can be at most {MESSAGE_MAX_LENGTH:,} characters "
                    "(this one has %(show_value)s)."
                ),
            }
        }

    def clean_body(self):
        # Saved without them, so the admin and anything else that reads bodies is not fooled.
        body = without_bidi_controls(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        return body
