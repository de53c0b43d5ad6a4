# libFuzzer target for the gzip / DEFLATE decoder; seeds in
# tests/fuzz/seeds/gunzip/ (small gzip files and one raw DEFLATE stream).
FUZZERS += gunzip
gunzip_FUZZ_SRCS := tests/fuzz/fuzz_gunzip.c shim/loader/gunzip.c \
    shim/loader/inflate.c
