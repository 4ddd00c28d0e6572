"""What a valid message is, and the composer's two fields it can be written in: one line, where
Enter sends, and a text area for several lines (code, logs, lists), where Enter starts a line."""

from django import forms

from rooms.bidi import without_bidi_controls
from rooms.models import MESSAGE_MAX_LENGTH, Message

FIELD_CLASSES = (
    "min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-3 py-2 shadow-sm"
    " focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200"
)
# What the text area's form sends as `composer`, so an answer goes back to the field used.
LINES = "lines"


class BodyField(forms.CharField):
    def to_python(self, value):
        # A form post ends a text area's lines with \r\n, htmx's frame and the browser's
        # maxlength with \n: counted and saved alike.
        return super().to_python(value).replace("\r\n", "\n")


class MessageForm(forms.ModelForm):
    """The one truth about a valid message, for the POST path and the socket alike; this one is
    written in the composer's one-line field."""

    # The id of the composer part (rooms/_composer.html) that shows this form.
    part_id = "composer"

    class Meta:
        model = Message
        fields = ["body"]
        field_classes = {"body": BodyField}
        widgets = {
            "body": forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "placeholder": "Write a message…",
                    "aria-label": "Message",
                    # Focus stays in the composer when a sent message swaps a fresh one in.
                    "autofocus": True,
                    "class": FIELD_CLASSES,
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

    def blank(self):
        """An empty form for the same field, to swap in once this one's message is posted."""
        return type(self)()


class LinesForm(MessageForm):
    """A message written in the composer's text area, line breaks and all."""

    part_id = "lines-composer"

    class Meta(MessageForm.Meta):
        widgets = {
            "body": forms.Textarea(
                attrs={
                    "id": "id_lines_body",
                    "rows": 5,
                    "placeholder": "Code, logs, lists… Enter starts a new line.",
                    "aria-label": "Message of several lines",
                    "aria-describedby": "markdown-help",
                    "autofocus": True,
                    "class": FIELD_CLASSES + " font-mono text-sm",
                }
            )
        }


class EditForm(MessageForm):
    """A message's new text, in a text area: a message may have several lines."""

    class Meta(MessageForm.Meta):
        widgets = {
            "body": forms.Textarea(
                attrs={
                    "rows": 3,
                    "aria-label": "Message",
                    "autofocus": True,
                    "class": FIELD_CLASSES + " text-sm",
                }
            )
        }


def message_form(data):
    """The form for `data` (a form post or a socket frame), of the field it was written in."""
    form_class = LinesForm if data.get("composer") == LINES else MessageForm
    return form_class(data)


def composer_forms(form=None):
    """A room page's two composer forms: `form` (one sent back with its errors) in its own
    field, a blank one in the other. Only the field it was written in takes the focus."""
    sent = form or MessageForm()
    one_line, lines = (MessageForm(), sent) if isinstance(sent, LinesForm) else (sent, LinesForm())
    blank = one_line if sent is lines else lines
    del blank.fields["body"].widget.attrs["autofocus"]
    return {"one_line": one_line, "lines": lines}
