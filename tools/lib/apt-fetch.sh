# Sourced (POSIX sh) by tools/fetch-kernel.sh and tools/bench/fetch-xen.sh,
# which run under "set -eu": one file out of a Debian package, fetched with
# "apt-get download" (the host's configured mirrors; never installed) into
# a cache keyed by version,
#   ${XDG_CACHE_HOME:-$HOME/.cache}/xhv/<subdir>/<version>/<file>
# with "deb-version" (the package's version) beside it. A cache entry is
# assembled in a temporary directory beside it and renamed into place in
# one step, so a concurrent or interrupted run never sees half of one.
#
# The caller sets apt_fetch_prog (its name: the prefix of its messages on
# stderr) and defines "apt_fetch_name VERSION", which prints the file's name
# in the entry for VERSION. Then, in this order:
#
#   apt_fetch_init SUBDIR SIZE      sets $cache; SIZE is the download's, for
#                                   the message when it cannot be had
#   apt_fetch_version FN WHAT KIND  sets $ver from FN (prints the version
#                                   the apt lists want, empty if unknown)
#   apt_fetch_cached                prints the cached file and exits, if any
#   apt_fetch_download PKG SPEC FN [NOTE]
#                                   "apt-get download SPEC" into $work; sets
#                                   $deb (the package) and $debver; the caller
#                                   puts the file into $work/out
#   apt_fetch_commit PKG            makes $work/out the cache entry, prints
#                                   the file's path
#
# "apt-get update" runs at most once (root only), when the lists do not know
# the package or the download fails (stale lists). If the package cannot be
# had and an older entry is cached, that one is used with a warning.

die() {
    echo "$apt_fetch_prog: $*" >&2
    exit 1
}
note() {
    echo "$apt_fetch_prog: $*" >&2
}

apt_fetch_init() {
    cache=${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/xhv/$1
    apt_fetch_size=$2
    af_updated=no
}

apt_update() {
    [ "$af_updated" = yes ] && return 1
    af_updated=yes
    if [ "$(id -u)" != 0 ]; then
        note "apt lists need updating but this is not root"
        return 1
    fi
    note "running apt-get update"
    apt-get update -qq >&2 2>&1 || return 1
}

# apt_fetch_offline MESSAGE: print the newest cached file (with a warning)
# and exit 0, or fail with MESSAGE.
apt_fetch_offline() {
    af_old=$(for af_d in "$cache"/*/; do
            af_v=${af_d%/}
            af_v=${af_v##*/}
            if [ -f "$cache/$af_v/$(apt_fetch_name "$af_v")" ]; then
                echo "$af_v"
            fi
        done | sort -V | tail -n 1)
    if [ -n "$af_old" ]; then
        af_old=$cache/$af_old/$(apt_fetch_name "$af_old")
        note "warning: $1; using the cached $af_old"
        echo "$af_old"
        exit 0
    fi
    die "$1 (offline? needs the Debian apt mirrors once, $apt_fetch_size)"
}

# apt_fetch_version FN WHAT KIND: $ver from FN, after an "apt-get update"
# if FN knows none ("apt knows no WHAT" if it still does not); a version
# that could leave the cache is refused ("unexpected KIND ...").
apt_fetch_version() {
    command -v apt-cache >/dev/null 2>&1 ||
        apt_fetch_offline "apt-cache not found (not Debian?)"
    ver=$("$1")
    if [ -z "$ver" ]; then
        apt_update || apt_fetch_offline "apt-get update failed"
        ver=$("$1")
        [ -n "$ver" ] || apt_fetch_offline "apt knows no $2"
    fi
    case $ver in
        */* | *..* | *' '*) die "unexpected $3 '$ver'" ;;
    esac
}

apt_fetch_cached() {
    af_file=$cache/$ver/$(apt_fetch_name "$ver")
    if [ -f "$af_file" ]; then
        echo "$af_file"
        exit 0
    fi
}

# APT::Sandbox::User=root: apt's _apt user cannot write into our private
# temporary directory.
apt_fetch_get() {
    (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$1" \
        >&2 2>&1)
}

# apt_fetch_download PKG SPEC FN [NOTE]: download SPEC (PKG, or PKG=VERSION)
# into a new $work beside the cache entries (removed on exit). If that fails,
# "apt-get update" and, if FN now prints another version than $ver, start
# the script again (after "NOTE <version>", when given); else retry once.
apt_fetch_download() {
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$work"' EXIT INT TERM
    if ! apt_fetch_get "$2"; then
        apt_update || apt_fetch_offline "could not download $1"
        af_ver2=$("$3")
        if [ -n "$af_ver2" ] && [ "$af_ver2" != "$ver" ]; then
            if [ -n "${4:-}" ]; then note "$4 $af_ver2"; fi
            rm -rf "$work"
            exec "$0"
        fi
        apt_fetch_get "$2" || apt_fetch_offline "could not download $1"
    fi
    deb=
    for af_f in "$work"/*.deb; do
        [ -f "$af_f" ] && deb=$af_f
    done
    [ -n "$deb" ] || die "apt-get download left no .deb"
    debver=$(dpkg-deb -f "$deb" Version)
    mkdir "$work/out"
}

apt_fetch_commit() {
    af_name=$(apt_fetch_name "$ver")
    chmod 0644 "$work/out/$af_name"
    echo "$debver" >"$work/out/deb-version"
    if ! mv -T "$work/out" "$cache/$ver" 2>/dev/null; then
        [ -f "$cache/$ver/$af_name" ] || die "could not create $cache/$ver"
    fi
    note "cached $1 $debver"
    echo "$cache/$ver/$af_name"
}
