#!/usr/bin/env python3
"""Writes man pages for an ArgumentParser program from its own help.

usage: scripts/manpages.py PROGRAM OUT_DIR DATE VERSION

Reads `PROGRAM --experimental-dump-help` (the command tree with every
argument, as ArgumentParser knows it) and writes one man(7) page per command
to OUT_DIR: `edgeagent.1`, `edgeagent-serve.1`, `edgeagent-home-create.1`,
... like git's, so `man edgeagent-serve` finds it. The pages say what
`--help` says, so they can never disagree with the binary.
"""
import json
import os
import subprocess
import sys


def escape(text):
    """Text for a roff line: backslashes and hyphens escaped, no line may
    start with a control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line[:1] in (".", "'") else line for line in text.split("\n"))


def paragraphs(text):
    """Blank-line separated paragraphs as .PP blocks (blank lines in roff
    are an error to groff)."""
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    out = []
    for block in blocks:
        out.append(".PP")
        # An indented block (examples) keeps its lines.
        if any(line.startswith("  ") for line in block.split("\n")):
            out += [".nf", escape(block), ".fi"]
        else:
            out.append(escape(" ".join(line.strip() for line in block.split("\n"))))
    return out


def portable(value):
    """A default the build machine computed from its own $HOME is shown as ~."""
    home = os.environ.get("HOME", "")
    if home and value.startswith(home + "/"):
        return "~" + value[len(home):]
    return value


def flag_text(argument):
    names = []
    for name in argument.get("names", []):
        prefix = "-" if name["kind"] == "short" else "--"
        names.append(prefix + name["name"])
    value = argument.get("valueName")
    if argument["kind"] == "positional":
        return "<" + (value or "value") + ">"
    text = ", ".join(names)
    if argument["kind"] == "option" and value:
        text += " <" + value + ">"
    return text


def page(path, command, date, version, program):
    name = "-".join(path)
    title = name.upper()
    lines = [
        '.TH "%s" "1" "%s" "%s %s" "User Commands"' % (escape(title), date, program, version),
        ".SH NAME",
        "%s \\- %s" % (escape(name), escape(command.get("abstract", "").rstrip("."))),
        ".SH SYNOPSIS",
        ".B %s" % escape(" ".join(path)),
    ]
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    subcommands = [c for c in command.get("subcommands", []) if c.get("shouldDisplay", True) and c["commandName"] != "help"]
    if subcommands:
        lines.append("\\fIsubcommand\\fR")
    elif arguments:
        lines.append("[\\fIoptions\\fR]")
    if command.get("discussion"):
        lines += [".SH DESCRIPTION"] + paragraphs(command["discussion"])
    if arguments:
        lines.append(".SH OPTIONS")
        for argument in arguments:
            lines += [".TP", "\\fB%s\\fR" % escape(flag_text(argument))]
            text = argument.get("abstract", "")
            if argument.get("discussion"):
                text += " " + argument["discussion"]
            extras = []
            if argument.get("allValues"):
                extras.append("values: %s" % ", ".join(argument["allValues"]))
            if argument.get("defaultValue") not in (None, ""):
                extras.append("default: %s" % portable(argument["defaultValue"]))
            if extras:
                text += " (%s)" % "; ".join(extras)
            lines.append(escape(text.strip()))
    if subcommands:
        lines.append(".SH COMMANDS")
        for sub in subcommands:
            lines += [".TP", "\\fB%s\\fR(1)" % escape("-".join(path + [sub["commandName"]])), escape(sub.get("abstract", ""))]
    lines += [".SH SEE ALSO", "\\fB%s\\fR \\-\\-help" % escape(" ".join(path))]
    return name, "\n".join(lines) + "\n"


def walk(path, command, date, version, program, out):
    name, text = page(path, command, date, version, program)
    with open(os.path.join(out, name + ".1"), "w") as handle:
        handle.write(text)
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            walk(path + [sub["commandName"]], sub, date, version, program, out)


def main():
    program, out, date, version = sys.argv[1:5]
    tree = json.loads(subprocess.run([program, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    command = tree["command"]
    os.makedirs(out, exist_ok=True)
    walk([command["commandName"]], command, date, version, command["commandName"], out)


if __name__ == "__main__":
    main()
