"""Generated PNG logos: a coloured square with the brand's initials.

Pillow draws them. It is the `fake` extra, not a dependency of the app (the production image
has neither the fake nor Pillow), so it is imported on first use; `require_pillow` is how the
fake refuses to start without it, in one line that says what to install.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io

SIZE = 96
INSTALL = "pip install -e '.[fake]' (or: pip install pillow)"


class PillowMissing(RuntimeError):
    pass


def require_pillow() -> None:
    if importlib.util.find_spec("PIL") is None:
        raise PillowMissing(f"the fake GIFQ server draws its logos with Pillow: {INSTALL}")


def initials(slug: str) -> str:
    words = [w for w in slug.split("-") if w and w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def colour(slug: str) -> tuple[int, int, int]:
    # Dark enough for white initials to stay readable whatever the hash gives.
    digest = hashlib.sha256(slug.encode()).digest()
    return (digest[0] % 160, digest[1] % 160, digest[2] % 160)


# Cached by slug: a 5,000-brand catalog page asks for thousands of logos at once.
@functools.lru_cache(maxsize=8192)
def logo_png(slug: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (SIZE, SIZE), colour(slug))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    draw.text((SIZE / 2, SIZE / 2), initials(slug), fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
