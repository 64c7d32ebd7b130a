# Sourced by test.sh: the Debian packages the tests drive or build with:
# chromium (browser tests), redis-server (the real Celery broker), mariadb-server (the
# registry and sweep tests again on the database family Open edX runs), and what
# mysqlclient (the LMS's MySQL driver) compiles against: pkg-config, libmariadb-dev, gcc;
# npm, which installs the pinned axe-core the browser tests inject.
# Installs what is missing when run as root with apt-get; otherwise says what to install.
NEEDED_DEBIAN_PACKAGES="chromium redis-server mariadb-server pkg-config libmariadb-dev gcc npm"
missing_packages() {
    local pkg missing=""
    for pkg in $NEEDED_DEBIAN_PACKAGES; do
        case "$pkg" in
            chromium) [ -x /usr/bin/chromium ] || missing="$missing $pkg" ;;
            redis-server) [ -x /usr/bin/redis-server ] || missing="$missing $pkg" ;;
            mariadb-server) [ -x /usr/sbin/mariadbd ] || missing="$missing $pkg" ;;
            npm) command -v npm >/dev/null 2>&1 || missing="$missing $pkg" ;;
            *) dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg" ;;
        esac
    done
    echo "$missing"
}
MISSING="$(missing_packages)"
if [ -n "$MISSING" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian packages:$MISSING"
        apt-get update -qq >/dev/null
        # (a package's service is never started: the tests start their own servers)
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $MISSING >/dev/null
    else
        echo "error: the tests need these Debian packages:$MISSING" >&2
        echo "       install them (sudo apt-get install$MISSING) and run again." >&2
        exit 1
    fi
fi
