#!/bin/sh
# Sanity checks on a linked build/xhv: the multiboot1 header must sit in the
# first 8 KiB (4-byte aligned) and the multiboot2 header in the first 32 KiB
# (8-byte aligned), or loaders will not find them.
img=$1
mb1=$(od -A d -t x4 -v -N 8192 "$img" | awk '{for (i = 2; i <= NF; i++) if ($i == "1badb002") { print $1 + (i - 2) * 4; exit } }')
mb2=$(od -A d -t x4 -v -N 32768 "$img" | awk '{for (i = 2; i <= NF; i++) if ($i == "e85250d6") { print $1 + (i - 2) * 4; exit } }')
if [ -z "$mb1" ]; then
    echo "check-image: no multiboot1 header in the first 8 KiB of $img" >&2
    exit 1
fi
if [ -z "$mb2" ] || [ $((mb2 % 8)) -ne 0 ]; then
    echo "check-image: no 8-byte aligned multiboot2 header in the first 32 KiB of $img" >&2
    exit 1
fi
