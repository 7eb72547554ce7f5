# Sourced by the scripts that run the tests and the stack: the project's Node (installed into
# .tools/node by ensure-tools.sh when the machine's is older) comes first on the PATH.
_sms_inbox_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$_sms_inbox_root/.tools/node/bin/node" ]; then
  export PATH="$_sms_inbox_root/.tools/node/bin:$PATH"
fi
unset _sms_inbox_root
