#!/bin/sh
# Installs the gateway as a systemd service, as the Python connector's setup_gateway.sh did.
#
#   sudo ./setup_gateway.sh install [--root DIR] [--config-dir DIR]
#   sudo ./setup_gateway.sh update-config [--root DIR] [--no-restart] [CONFIG_DIR]
#   sudo ./setup_gateway.sh uninstall [--root DIR] [--purge]
#   sudo ./setup_gateway.sh status [--root DIR]
#
# Where things go (Debian conventions):
#   /opt/dlms-gateway/          dlms-gateway.jar, jvm.options, start_gateway.sh
#   /etc/dlms-gateway/          tb_gateway.yaml, the connector files, logback.xml (never overwritten by install)
#   /etc/default/dlms-gateway   environment of the service: secrets for ${env:...}, JAVA_OPTS (never overwritten)
#   /var/lib/dlms-gateway/      the spool (the only place the service may write)
#   /etc/systemd/system/dlms-gateway.service
#
# --root DIR installs into DIR as if it were / (a staging directory, a package build, CI): no user is created and
# systemctl is not called. Exit codes: 0 done, 1 failed, 2 usage, 3 update-config refused an invalid configuration.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
name=dlms-gateway
user=dlms-gateway
root=""
command="${1:-}"
[ $# -gt 0 ] && shift

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    echo "See the README's \"Running it as a service\"." >&2
    exit 2
}

config_dir="$here/config"
restart=yes
purge=no
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root="${2:?--root needs a directory}"; shift 2 ;;
        --root=*) root="${1#--root=}"; shift ;;
        --config-dir) config_dir="${2:?--config-dir needs a directory}"; shift 2 ;;
        --no-restart) restart=no; shift ;;
        --purge) purge=yes; shift ;;
        -h|--help) usage ;;
        -*) echo "setup_gateway: unknown option $1" >&2; usage ;;
        *) config_dir="$1"; shift ;;
    esac
done
if [ -n "$root" ]; then
    mkdir -p "$root"
    root=$(cd "$root" && pwd)
fi

opt="$root/opt/$name"
etc="$root/etc/$name"
var="$root/var/lib/$name"
defaults="$root/etc/default/$name"
unit="$root/etc/systemd/system/$name.service"
jar_built="$here/gateway-app/target/dlms-gateway.jar"

say() {
    echo "setup_gateway: $*"
}

fail() {
    echo "setup_gateway: $*" >&2
    exit 1
}

live() {
    # true when installing onto this machine itself (not into a staging root)
    [ -z "$root" ]
}

need_root() {
    if live && [ "$(id -u)" -ne 0 ]; then
        fail "$command needs root (sudo $0 $command), or --root DIR to stage the files"
    fi
}

java_path() {
    java=$(command -v java || true)
    [ -n "$java" ] || fail "no java on PATH: install a JDK or JRE 17 or later (Debian: apt install openjdk-17-jre-headless)"
    # the unit needs an absolute path that survives alternatives switching: keep the link, not its target
    echo "$java"
}

check_config() {
    # check-config of the jar that is (or is about to be) installed, on the files given
    jar="$1"
    yaml="$2"
    java -jar "$jar" check-config --config "$yaml"
}

write_unit() {
    java=$(java_path)
    mkdir -p "$(dirname "$unit")"
    cat > "$unit" <<UNIT
# Installed by setup_gateway.sh; changes are lost on the next install. Local changes: systemctl edit $name
[Unit]
Description=DLMS/COSEM to ThingsBoard gateway
Documentation=file:///opt/$name/README.md
After=network-online.target
Wants=network-online.target

[Service]
Type=exec
User=$user
Group=$user
WorkingDirectory=/var/lib/$name
Environment=JAVA=$java
Environment=DLMS_GATEWAY_JAR=/opt/$name/dlms-gateway.jar
Environment=JVM_OPTIONS_FILE=/opt/$name/jvm.options
Environment=LOGBACK_CONFIG=/etc/$name/logback.xml
# secrets for \${env:...} in the configuration, and JAVA_OPTS; the file is optional
EnvironmentFile=-/etc/default/$name
ExecStart=/opt/$name/start_gateway.sh /etc/$name/tb_gateway.yaml
# a stop (SIGTERM) publishes what it can in up to 5 s, leaves the rest in the spool and exits 0
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
# one socket per meter plus the spool and ThingsBoard: raise with the meter count (systemctl edit $name)
LimitNOFILE=65536
StandardOutput=journal
StandardError=journal
SyslogIdentifier=$name

# hardening: the service writes only its spool (StateDirectory creates /var/lib/$name for the user)
StateDirectory=$name
StateDirectoryMode=0750
# /var/log/$name, writable by the service, for LOG_FILE_OUTPUT=text|json (logback.xml); the journal needs none
LogsDirectory=$name
LogsDirectoryMode=0750
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
CapabilityBoundingSet=
SystemCallArchitectures=native
UMask=0027

[Install]
WantedBy=multi-user.target
UNIT
    chmod 0644 "$unit"
}

# the spool of the shipped tb_gateway.yaml lies beside the file; a service keeps it under /var/lib
service_spool() {
    sed -e "s|^\(  path: \)\./data/spool\( .*\)\{0,1\}$|\1/var/lib/$name/spool    # set by setup_gateway.sh: the only place the service may write|" "$1"
}

install_config_file() {
    # $1 source, $2 destination; configuration files hold tokens and keys: readable by root and the service only
    if [ "$(basename "$1")" = tb_gateway.yaml ]; then
        service_spool "$1" > "$2"
    else
        cp "$1" "$2"
    fi
    chmod 0640 "$2"
    if live; then
        chown "root:$user" "$2"
    fi
}

config_files() {
    # the files of a configuration directory the gateway reads: the YAML, JSON connector files, logback.xml
    for f in "$1"/tb_gateway.yaml "$1"/*.json "$1"/logback.xml; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

do_install() {
    need_root
    [ -f "$config_dir/tb_gateway.yaml" ] || fail "no tb_gateway.yaml in $config_dir"
    if [ ! -f "$jar_built" ]; then
        say "$jar_built not built yet; building it (mvn -B -q -DskipTests package)"
        (cd "$here" && mvn -B -q -DskipTests package) || fail "the build failed"
    fi
    if live && ! id "$user" >/dev/null 2>&1; then
        say "creating system user $user"
        useradd --system --user-group --home-dir "/var/lib/$name" --no-create-home --shell /usr/sbin/nologin \
            --comment "DLMS gateway" "$user"
    fi
    mkdir -p "$opt" "$etc" "$var" "$(dirname "$defaults")"
    cp "$jar_built" "$opt/dlms-gateway.jar"
    cp "$here/config/jvm.options" "$opt/jvm.options"
    cp "$here/start_gateway.sh" "$opt/start_gateway.sh"
    cp "$here/README.md" "$opt/README.md"
    chmod 0644 "$opt/dlms-gateway.jar" "$opt/jvm.options" "$opt/README.md"
    chmod 0755 "$opt" "$opt/start_gateway.sh"
    say "installed the gateway into $opt"

    if [ -f "$etc/tb_gateway.yaml" ]; then
        say "kept the configuration in $etc (change it with: $0 update-config DIR)"
    else
        for f in $(config_files "$config_dir"); do
            install_config_file "$f" "$etc/$(basename "$f")"
        done
        if [ ! -f "$etc/logback.xml" ] && [ -f "$here/config/logback.xml" ]; then
            install_config_file "$here/config/logback.xml" "$etc/logback.xml"
        fi
        say "installed the configuration from $config_dir into $etc; edit it there, then: systemctl restart $name"
    fi
    chmod 0750 "$etc"
    chmod 0750 "$var"
    if [ ! -f "$defaults" ]; then
        cat > "$defaults" <<DEFAULTS
# Environment of the $name service: secrets the configuration names as \${env:NAME}, and extra JVM options.
# METER_PASSWORD=...
# JAVA_OPTS=-Xmx1g
DEFAULTS
        chmod 0640 "$defaults"
    fi
    if live; then
        chown "root:$user" "$etc" "$defaults"
        chown "$user:$user" "$var"
    fi
    write_unit
    say "wrote $unit"
    if live; then
        systemctl daemon-reload
        systemctl enable "$name.service"
        systemctl restart "$name.service"
        say "started; watch it with: journalctl -u $name -f"
    fi
}

do_update_config() {
    need_root
    [ -f "$opt/dlms-gateway.jar" ] || fail "not installed in $opt (run: $0 install)"
    [ -f "$config_dir/tb_gateway.yaml" ] || fail "no tb_gateway.yaml in $config_dir"
    staging=$(mktemp -d "${TMPDIR:-/tmp}/$name-config.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    for f in $(config_files "$config_dir"); do
        install_config_file "$f" "$staging/$(basename "$f")"
    done
    say "checking the new configuration (check-config of the installed gateway)"
    if ! check_config "$opt/dlms-gateway.jar" "$config_dir/tb_gateway.yaml"; then
        echo "setup_gateway: the configuration in $config_dir has problems (above); $etc is unchanged" >&2
        exit 3
    fi
    backup="$etc.previous"
    rm -rf "$backup"
    cp -p -r "$etc" "$backup"
    for f in "$staging"/*; do
        cp -p "$f" "$etc/$(basename "$f")"
    done
    say "installed the configuration from $config_dir into $etc (the previous one is in $backup)"
    if live && [ "$restart" = yes ]; then
        systemctl restart "$name.service"
        say "restarted $name; watch it with: journalctl -u $name -f"
    fi
}

do_uninstall() {
    need_root
    if live; then
        systemctl disable --now "$name.service" 2>/dev/null || true
    fi
    rm -f "$unit"
    rm -rf "$opt"
    if live; then
        systemctl daemon-reload
    fi
    if [ "$purge" = yes ]; then
        rm -rf "$etc" "$etc.previous" "$var" "$defaults"
        if live && id "$user" >/dev/null 2>&1; then
            userdel "$user" || true
        fi
        say "removed the gateway, its configuration and its spool$(live && echo ' and its user' || true)"
    else
        say "removed the gateway; kept the configuration in $etc and the spool in $var (--purge removes them)"
    fi
}

do_status() {
    if [ -f "$opt/dlms-gateway.jar" ]; then
        say "installed: $opt ($(java -jar "$opt/dlms-gateway.jar" --version 2>/dev/null | head -1 || echo '?'))"
    else
        say "not installed in $opt"
    fi
    [ -f "$etc/tb_gateway.yaml" ] && say "configuration: $etc" || say "no configuration in $etc"
    [ -d "$var" ] && say "spool: $var ($(du -sh "$var" 2>/dev/null | cut -f1))"
    [ -f "$unit" ] && say "unit: $unit" || say "no unit at $unit"
    if live && command -v systemctl >/dev/null 2>&1; then
        systemctl status "$name.service" --no-pager || true
    fi
}

case "$command" in
    install) do_install ;;
    update-config) do_update_config ;;
    uninstall) do_uninstall ;;
    status) do_status ;;
    *) usage ;;
esac
