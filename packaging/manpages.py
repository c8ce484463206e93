#!/usr/bin/env python3
"""Writes pcimmio's man pages from the binary's own argument-parser definitions.

    python3 packaging/manpages.py PCIMMIO_BINARY OUTPUT_DIRECTORY

The data is `pcimmio --experimental-dump-help` (what argument-parser's GenerateManual plugin
reads too), so the pages say exactly what `--help` says and cannot drift from it. One page
per command: pcimmio(1), pcimmio-peek(1), pcimmio-map-check(1), ...

Written here rather than with the plugin because the plugin rebuilds the whole package
without the release flags, and pastes each discussion into the page as one filled paragraph,
which runs the example lines together. Discussions are read as the help screen shows them:
a line is a paragraph, an indented line is literal text (examples, tables), and an
"Examples:" line starts the EXAMPLES section.
"""
import json
import os
import subprocess
import sys
import time

DATE = time.strftime("%Y-%m-%d", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))))


def roff(text):
    """Text for a roff line: backslashes, hyphens (so options copy and paste as typed) and
    anything outside ASCII as groff's named Unicode escapes."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\e")
        elif ch == "-":
            out.append("\\-")
        elif ord(ch) > 126:
            out.append("\\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    line = "".join(out)
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line


def option_label(argument):
    """`-w, --width <bits>` as it appears in help, in roff."""
    names = argument.get("names") or []
    spelled = []
    for name in names:
        prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}[name["kind"]]
        spelled.append("\\fB%s\\fR" % roff(prefix + name["name"]))
    label = ", ".join(spelled)
    if argument["kind"] == "option":
        label += " \\fI%s\\fR" % roff(argument.get("valueName") or "value")
    if argument["kind"] == "positional":
        label = "\\fI%s\\fR" % roff(argument.get("valueName") or "value")
        if argument.get("isRepeating"):
            label += " ..."
    return label


def synopsis_part(argument):
    if argument["kind"] == "positional":
        text = "\\fI%s\\fR" % roff(argument.get("valueName") or "value")
        if argument.get("isRepeating"):
            text += " ..."
    else:
        name = argument.get("preferredName") or argument["names"][0]
        prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}[name["kind"]]
        text = "\\fB%s\\fR" % roff(prefix + name["name"])
        if argument["kind"] == "option":
            text += " \\fI%s\\fR" % roff(argument.get("valueName") or "value")
    if argument.get("isOptional"):
        text = "[" + text + "]"
    return text


def displayed(arguments):
    return [a for a in arguments or [] if a.get("shouldDisplay", True)]


def discussion_blocks(text):
    """(description blocks, example lines). A block is ("p", text) or ("pre", [lines])."""
    blocks, examples = [], []
    in_examples = False
    for line in (text or "").split("\n"):
        if line.strip() in ("Examples:", "Example:"):
            in_examples = True
            continue
        if in_examples:
            if line.strip():
                examples.append(line.strip())
            continue
        if not line.strip():
            blocks.append(("break", None))
        elif line.startswith(" "):
            if blocks and blocks[-1][0] == "pre":
                blocks[-1][1].append(line.strip("\n")[2:] if line.startswith("  ") else line)
            else:
                blocks.append(("pre", [line[2:] if line.startswith("  ") else line]))
        else:
            blocks.append(("p", line))
    return blocks, examples


def write_blocks(out, blocks):
    for kind, value in blocks:
        if kind == "p":
            out.append(".PP")
            out.append(roff(value))
        elif kind == "pre":
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            out.extend(roff(line) for line in value)
            out.append(".fi")
            out.append(".RE")


def write_examples(out, examples):
    if not examples:
        return
    out.append(".SH EXAMPLES")
    out.append(".PP")
    out.append(".RS 4")
    out.append(".nf")
    out.extend(roff(line) for line in examples)
    out.append(".fi")
    out.append(".RE")


def write_arguments(out, arguments):
    for argument in arguments:
        out.append(".TP")
        out.append(option_label(argument))
        help_text = argument.get("abstract") or ""
        if argument.get("defaultValue") is not None and argument["kind"] != "flag":
            help_text += " (default: %s)" % argument["defaultValue"]
        out.append(roff(help_text) if help_text else "\\&")
        if argument.get("discussion"):
            out.append(".IP")
            out.append(roff(argument["discussion"]))


ENVIRONMENT = [
    ("PCIMMIO_SYSFS", "The directory that stands for /sys/bus/pci, as --sysfs gives it (a fake tree, for example)."),
    ("PCIMMIO_MAPS", "A directory of register maps (*.json): the first one listing a device's vendor:device "
                     "describes it, unless --map names one. Without it, the maps installed with pcimmio are used."),
]
FILES = [
    ("/usr/share/pcimmio/maps", "The register maps shipped with pcimmio (found relative to the executable: "
                                "<prefix>/share/pcimmio/maps for <prefix>/bin/pcimmio)."),
    ("/sys/bus/pci", "The devices, their config space and their resourceN files."),
]


def page(command, path, version, subcommand_pages):
    name = "-".join(path)
    title = name.upper()
    out = ['.\\" Generated by packaging/manpages.py from pcimmio --experimental-dump-help: do not edit.',
           '.TH "%s" 1 "%s" "pcimmio %s" "User Commands"' % (roff(title), DATE, roff(version)),
           # Ragged right and no hyphenation: options, slots and file names must stay whole.
           ".nh", ".ad l"]
    out.append(".SH NAME")
    out.append("%s \\- %s" % (roff(name), roff((command.get("abstract") or "").rstrip("."))))

    arguments = displayed(command.get("arguments"))
    visible_subcommands = [c for c in command.get("subcommands") or []
                           if c.get("shouldDisplay", True) and c["commandName"] != "help"]
    out.append(".SH SYNOPSIS")
    out.append(".B %s" % roff(" ".join(path)))
    parts = ["[\\fIoptions\\fR]"] if any(a["kind"] != "positional" for a in arguments) else []
    parts += [synopsis_part(a) for a in arguments if a["kind"] == "positional"]
    if visible_subcommands:
        parts.append("\\fIcommand\\fR [\\fIargs\\fR ...]")
    out.append(" ".join(parts))

    blocks, examples = discussion_blocks(command.get("discussion"))
    out.append(".SH DESCRIPTION")
    out.append(".PP")
    out.append(roff(command.get("abstract") or ""))
    write_blocks(out, blocks)

    if visible_subcommands:
        out.append(".SH COMMANDS")
        for sub in visible_subcommands:
            out.append(".TP")
            out.append("\\fB%s\\fR(1)" % roff("-".join(path + [sub["commandName"]])))
            out.append(roff(sub.get("abstract") or ""))

    positionals = [a for a in arguments if a["kind"] == "positional"]
    options = [a for a in arguments if a["kind"] != "positional"]
    if positionals:
        out.append(".SH ARGUMENTS")
        write_arguments(out, positionals)
    if options:
        out.append(".SH OPTIONS")
        write_arguments(out, options)

    if len(path) == 1:
        out.append(".SH ENVIRONMENT")
        for variable, text in ENVIRONMENT:
            out.append(".TP")
            out.append("\\fB%s\\fR" % roff(variable))
            out.append(roff(text))
        out.append(".SH FILES")
        for file, text in FILES:
            out.append(".TP")
            out.append("\\fI%s\\fR" % roff(file))
            out.append(roff(text))
        out.append(".SH EXIT STATUS")
        out.append(".PP")
        out.append(roff("0 on success, 2 for malformed input (a usage error, a bad number or name), "
                        "1 for everything else (a refused or failed access, a timeout, a failed --verify)."))

    write_examples(out, examples)

    see_also = ["pcimmio(1)"] if len(path) > 1 else []
    see_also += ["%s(1)" % p for p in subcommand_pages if p != name]
    see_also += ["lspci(8)", "setpci(8)"]
    out.append(".SH SEE ALSO")
    out.append(", ".join("\\fB%s\\fR(%s)" % (roff(s[:-3]), s[-2]) for s in see_also))
    return "\n".join(out) + "\n"


def walk(command, path):
    yield command, path
    for sub in command.get("subcommands") or []:
        if sub.get("shouldDisplay", True) and sub["commandName"] != "help":
            yield from walk(sub, path + [sub["commandName"]])


def main():
    binary, output = sys.argv[1], sys.argv[2]
    dump = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = dump["command"]
    os.makedirs(output, exist_ok=True)
    commands = list(walk(root, [root["commandName"]]))
    children = {}
    for command, path in commands:
        if len(path) > 1:
            children.setdefault("-".join(path[:-1]), []).append("-".join(path))
    for command, path in commands:
        name = "-".join(path)
        with open(os.path.join(output, name + ".1"), "w") as f:
            f.write(page(command, path, version, children.get(name, [])))
        print(os.path.join(output, name + ".1"))


if __name__ == "__main__":
    main()
