#!/usr/bin/env python3
"""Turns the stub executable into a C array linked into libumbra."""
import sys

data = open(sys.argv[1], 'rb').read()
with open(sys.argv[2], 'w') as out:
    out.write('/* Generated from the stub executable; do not edit. */\n')
    out.write('#include "platform/ptrace/ptrace_priv.h"\n\n')
    out.write('const unsigned char ptrace_stub_image[] = {\n')
    for i in range(0, len(data), 16):
        out.write('\t' + ', '.join('0x%02x' % b for b in data[i:i + 16]) + ',\n')
    out.write('};\n')
    out.write('const unsigned int ptrace_stub_image_len = %d;\n' % len(data))
