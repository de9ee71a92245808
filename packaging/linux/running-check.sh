#!/bin/sh
# preinst / prerm of the cashier-app package: nobody replaces or removes the files of a
# program in the middle of a payment (the Windows installer's AppMutex does the same there).
set -e
case "$1" in
  install|upgrade|remove)
    if pgrep -f '^/opt/cashier-app/(cashier-app|kassa)( |$)' >/dev/null 2>&1; then
      echo "«Касса» запущена (окно, киоск или команда): завершите её и повторите." >&2
      echo "Работающие процессы: pgrep -af /opt/cashier-app/" >&2
      exit 1
    fi
    ;;
esac
exit 0
