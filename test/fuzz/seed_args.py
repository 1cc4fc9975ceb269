#!/usr/bin/env python3
# Writes the seed corpus of fuzz_args (test/fuzz/corpus/args/): every
# command line of the parser's unit test (test/unit/test_tool_args.c, its
# OK(...) and BAD(...) rows), of the README's section on ctnl, of the
# man page's EXAMPLES and of the conntrack-syntax test files
# (test/compat/cases), one input each, its arguments separated by NUL
# bytes as fuzz_args.c splits them; and its dictionary (args.dict): the
# words the parser knows, from its option table and its name tables.
# Run from the repository root:
#   python3 test/fuzz/seed_args.py
import os
import re
import shlex

OUT = 'test/fuzz/corpus/args'


def c_strings(text):
    """The C string literals in @text, unescaped (the escapes the tests
    use: \\", \\\\, \\n, \\r, \\t)."""
    out = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text):
        s = m.group(1)
        s = re.sub(r'\\(.)', lambda e: {'n': '\n', 'r': '\r', 't': '\t'}
                   .get(e.group(1), e.group(1)), s)
        out.append(s)
    return out


def test_rows(path):
    """The words of each OK(&c, ...) and BAD("needle", ...) row."""
    src = open(path).read()
    rows = []
    for m in re.finditer(r'\b(OK|BAD)\s*\(', src):
        if src[m.start() - 8:m.start()].strip().endswith('define'):
            continue
        depth, i = 1, m.end()
        while depth:
            if src[i] == '"':           # skip a literal whole
                i += 1
                while src[i] != '"':
                    i += 2 if src[i] == '\\' else 1
            elif src[i] == '(':
                depth += 1
            elif src[i] == ')':
                depth -= 1
            i += 1
        words = c_strings(src[m.end():i - 1])
        if m.group(1) == 'BAD':
            words = words[1:]           # the message it must hold
        if words:
            rows.append(words)
    return rows


def readme_lines(path):
    """`ctnl ...` commands of the README's code blocks."""
    rows, code = [], False
    for line in open(path):
        if line.startswith('```'):
            code = not code
            continue
        if not code:
            continue
        if not line.startswith('ctnl '):
            continue
        for cmd in line.split('#')[0].split(';'):
            words = shlex.split(cmd)
            if words[:1] == ['ctnl']:
                rows.append(words[1:])
    return rows


def man_lines(path):
    """`ctnl ...` lines between .nf and .fi in the man page."""
    rows, nofill = [], False
    for line in open(path):
        line = line.rstrip('\n')
        if line.startswith('.nf'):
            nofill = True
        elif line.startswith('.fi'):
            nofill = False
        elif nofill and line.startswith('ctnl '):
            rows.append(shlex.split(line.replace('\\-', '-'))[1:])
    return rows


def compat_lines(directory):
    """The command lines of the conntrack-syntax test files
    (test/compat/cases/*: "ARGS ; OK|BAD", "ARGS ;" for -R)."""
    rows = []
    for name in sorted(os.listdir(directory)):
        for line in open(os.path.join(directory, name)):
            if ';' not in line or line[:1] in '#>!;':
                continue
            try:
                words = shlex.split(line.split(';')[0])
            except ValueError:
                continue
            if words:
                rows.append(words)
    return rows


def dictionary(options, names, compat):
    """The words of ctnl's parser: options (from cli_options[] in
    tools/options.c), commands and every name the parser looks up (quoted
    strings of the tables of tools/options.c and tools/names.c)."""
    src = open(options).read() + open(names).read()
    table = src[src.index('cli_options[] = {'):]
    table = table[:table.index('\n};')]
    ct = open(compat).read()
    ct = ct[ct.index('compat_options[] = {'):]
    table += ct[:ct.index('\n};')]
    words = set()
    for m in re.finditer(r'\{ (\'.\'|0), "([a-z0-9-]+)"', table):
        if m.group(1) != '0':
            words.add('-' + m.group(1)[1])
        words.add('--' + m.group(2))
    # An alias is the last plain field, just before the designated ones.
    for alias in re.findall(r'"([a-z0-9-]+)",\s*(?:\.[a-z]|[A-Z]+\()', table):
        words.add('--' + alias)
    tables = re.findall(r'(?:cmd_names|protos|tcp_states|sctp_states|'
                        r'cli_status_names)\[[^]]*\] = \{(.*?)\n\};', src,
                        re.S)
    for t in tables:
        words.update(re.findall(r'"([A-Za-z0-9_-]+)"', t))
    words.update(['conntrack', 'expect', 'expectation', 'ipv4', 'ipv6',
                  'inet', 'inet6', 'ipv6-icmp', 'text', 'json', 'labels',
                  'id', 'extended', 'UNSET', 'NEW', 'UPDATE', 'DESTROY',
                  'ALL', '--', '0x', '/', ',', '=', 'dying', 'unconfirmed',
                  'xml', 'save', 'timestamp', 'ktimestamp', 'userspace',
                  'UPDATES', 'UNREPLIED', 'SEEN_REPLY', 'ASSURED', '-'])
    return sorted(words)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if not name.startswith('.'):
            os.remove(os.path.join(OUT, name))
    sets = [('test', test_rows('test/unit/test_tool_args.c')),
            ('readme', readme_lines('README.md')),
            ('man', man_lines('tools/ctnl.1')),
            ('compat', compat_lines('test/compat/cases'))]
    seen = set()
    for prefix, rows in sets:
        n = 0
        for words in rows:
            data = b'\0'.join(w.encode() for w in words)
            if data in seen:
                continue
            seen.add(data)
            n += 1
            with open(os.path.join(OUT, '%s-%03d' % (prefix, n)), 'wb') as f:
                f.write(data)
        print('%s: %d command lines' % (prefix, n))
    words = dictionary('tools/options.c', 'tools/names.c', 'tools/compat.c')
    with open('test/fuzz/args.dict', 'w') as f:
        f.write('# The words ctnl\'s parser knows (seed_args.py).\n')
        for w in words:
            f.write('"%s"\n' % w.replace('\\', '\\\\').replace('"', '\\"'))
    print('args.dict: %d words' % len(words))


main()
