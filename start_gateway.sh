#!/bin/sh
# Starts the gateway in the foreground with the JVM options of config/jvm.options.
#
#   ./start_gateway.sh                              config/tb_gateway.yaml
#   ./start_gateway.sh /etc/dlms-gateway/tb_gateway.yaml
#   JAVA_OPTS="-Xmx1g" ./start_gateway.sh           extra JVM options, after those of config/jvm.options
#
# Builds the gateway first when its jar is missing (needs Maven). Stops on Ctrl-C or SIGTERM, publishing what it can
# and leaving the rest in the spool.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/gateway-app/target/dlms-gateway.jar"
config="${1:-$here/config/tb_gateway.yaml}"
options_file="${JVM_OPTIONS_FILE:-$here/config/jvm.options}"

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
# shellcheck disable=SC2086 # word splitting of the option lists is intended
exec java $jvm_options ${JAVA_OPTS:-} -jar "$jar" run --config "$config"
