# gzip / DEFLATE decoder (shim/loader): RFC 1951 + RFC 1952, checked
# against the system gzip(1).
UNIT_TESTS += gunzip
gunzip_SRCS := tests/unit/test_gunzip.c shim/loader/gunzip.c \
    shim/loader/inflate.c
