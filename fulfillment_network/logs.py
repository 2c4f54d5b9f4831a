"""Log lines as events with fields.

Modules log with a short event name and put the facts in ``extra``::

    logger.warning("member unreachable", extra={"member": "ASH", "error": reason})

and this formatter writes them as ``key=value`` pairs after the event.
Nothing personal about a patron belongs in those fields.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["configure_logging"]

# Attributes every LogRecord has; anything else on a record came from extra=.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName", "color_message"}
)

# Libraries whose INFO lines narrate their own workings.
_QUIET = {"pgserver": logging.WARNING}


class EventFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        line = " ".join(
            (
                self.formatTime(record),
                record.levelname,
                record.name,
                record.getMessage(),
            )
        )
        for key, value in fields.items():
            line += f" {key}={_quote(value)}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _quote(value: object) -> str:
    text = str(value)
    return repr(text) if (" " in text or not text) else text


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EventFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name, quiet_level in _QUIET.items():
        logging.getLogger(name).setLevel(max(quiet_level, root.level))
