"""No username that looks like another's: every user's name is kept as digests of its TR39
skeletons (rooms/skeleton.py), indexed, and a new or changed name whose skeleton is taken is
refused.
"""

import hashlib
import unicodedata

from django.core.exceptions import ValidationError

from rooms.models import UsernameSkeleton
from rooms.skeleton import skeleton

SIMILAR_NAME = "A user with a similar-looking name already exists."


def skeleton_digests(username):
    """What the name may be read as, ignoring case as Django's sign-up does.

    The skeleton is taken before case is folded ("AIice" reads "Alice") and after it
    ("ALICE" with a Greek capital alpha reads "alice"). Digests, because a skeleton can grow to
    twenty times its name, past what an index takes.
    """
    name = unicodedata.normalize("NFKC", username)
    return {
        hashlib.sha256(skeleton(form).casefold().encode()).hexdigest()
        for form in (name, name.casefold())
    }


def refuse_lookalikes(username):
    """A validator of auth.User's username: it runs in the sign-up and admin forms and in
    createsuperuser. A user keeps their own name, so its exact owner is no look-alike."""
    lookalikes = UsernameSkeleton.objects.filter(digest__in=skeleton_digests(username))
    if lookalikes.exclude(user__username=username).exists():
        raise ValidationError(SIMILAR_NAME, code="similar_username")


def remember_skeletons(user):
    """Keep `user`'s digests current, whatever path saved the user."""
    wanted = skeleton_digests(user.get_username())
    kept = UsernameSkeleton.objects.filter(user=user)
    if set(kept.values_list("digest", flat=True)) != wanted:
        kept.delete()
        UsernameSkeleton.objects.bulk_create(
            UsernameSkeleton(user=user, digest=digest) for digest in wanted
        )
