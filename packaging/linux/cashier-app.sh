#!/bin/sh
# /usr/bin/cashier-app: the installed program, whatever directory it is called from.
exec /opt/cashier-app/cashier-app "$@"
