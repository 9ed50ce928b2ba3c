#!/bin/sh
# Starts the gateway in the foreground with the JVM options of config/jvm.options.
#
#   ./start_gateway.sh                              config/tb_gateway.yaml
#   ./start_gateway.sh /etc/dlms-gateway/tb_gateway.yaml
#   JAVA_OPTS="-Xmx1g" ./start_gateway.sh           extra JVM options, after those of config/jvm.options
#
# The service (setup_gateway.sh) sets JAVA (the java binary), DLMS_GATEWAY_JAR, JVM_OPTIONS_FILE and LOGBACK_CONFIG
# (a logback.xml used when it exists); each defaults to this checkout's own.
#
# Builds the gateway first when its jar is missing (needs Maven). Stops on Ctrl-C or SIGTERM, publishing what it can
# and leaving the rest in the spool.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar="${DLMS_GATEWAY_JAR:-$here/gateway-app/target/dlms-gateway.jar}"
java="${JAVA:-java}"
logback="${LOGBACK_CONFIG:-$here/config/logback.xml}"
config="${1:-$here/config/tb_gateway.yaml}"
options_file="${JVM_OPTIONS_FILE:-$here/config/jvm.options}"

if [ ! -f "$jar" ] && [ -n "${DLMS_GATEWAY_JAR:-}" ]; then
    echo "start_gateway: no gateway at $jar" >&2
    exit 1
fi
if [ ! -f "$jar" ]; then
    echo "start_gateway: $jar not built yet; building it (mvn -B -q -DskipTests package)" >&2
    (cd "$here" && mvn -B -q -DskipTests package)
fi
if [ ! -f "$config" ]; then
    echo "start_gateway: no configuration at $config" >&2
    exit 2
fi

# options: the lines of the file without comments and blank lines; none of them contains a space
if [ -f "$options_file" ]; then
    jvm_options=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$options_file")
else
    echo "start_gateway: no JVM options file at $options_file; starting with the JVM's defaults" >&2
    jvm_options=""
fi
if [ -f "$logback" ]; then
    jvm_options="$jvm_options -Dlogback.configurationFile=$logback"
fi
# exec: the JVM takes this shell's process, so the service manager's SIGTERM reaches it (and it exits 0)
# shellcheck disable=SC2086 # word splitting of the option lists is intended
exec "$java" $jvm_options ${JAVA_OPTS:-} -jar "$jar" run --config "$config"
