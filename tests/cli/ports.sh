# shellcheck shell=bash
# TCP and UDP ports for ipcdemo's command-line tests (tcp.sh, udp.sh).
# Source it after lib.sh:
#   . "$LIB_DIR/ports.sh"        (lib.sh sets LIB_DIR, its own directory)
#   new_port                 sets $PORT to a port no socket uses yet
#   port_used PORT           some TCP or UDP socket has it as its local port
#   tcp_listening PORT / tcp_free PORT / udp_bound PORT
# and $have_ipv6 (a ::1 loopback) and $have_nc (OpenBSD nc, for TCP and UDP).

# A random base per run, below the kernel's ephemeral range when there is
# room, so that parallel scripts and outgoing connections do not collide;
# every test takes a port no socket uses yet, and never the same one twice.
eph_lo=32768
if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
	read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range
fi
if [ "$eph_lo" -ge 26000 ]; then port_span=$((eph_lo - 20000 - 1000)); else port_span=39000; fi
_next_port=$((20000 + (RANDOM * 32768 + RANDOM) % port_span))
proc_net() { # the /proc/net tables of the given kinds that exist
	local f
	for f in "$@"; do [ -r "/proc/net/$f" ] && echo "/proc/net/$f"; done
}
port_hex() { printf '%04X' "$1"; }
port_used() { # port: some TCP or UDP socket has it as its local port
	local files
	files=$(proc_net tcp tcp6 udp udp6)
	[ -n "$files" ] || return 1
	# shellcheck disable=SC2086 # a list of file names without spaces
	grep -Eq "^ *[0-9]+: [0-9A-F]+:$(port_hex "$1") " $files
}
new_port() { # sets PORT to a port that nothing uses
	local tries=0
	while port_used "$_next_port" && [ "$tries" -lt 1000 ]; do
		_next_port=$((_next_port + 1))
		tries=$((tries + 1))
	done
	# shellcheck disable=SC2034 # read by the scripts
	PORT=$_next_port
	_next_port=$((_next_port + 1))
	[ "$_next_port" -le 60000 ] || _next_port=20000
}
# port_in_state PORT STATE SS_FLAGS TABLE...: a socket in the /proc/net
# TABLEs has PORT as its local port, no peer, and the state STATE (hex);
# without those tables, ss SS_FLAGS shows a socket on PORT.
port_in_state() {
	local port=$1 state=$2 ss_flags=$3 files
	shift 3
	files=$(proc_net "$@")
	if [ -n "$files" ]; then
		# shellcheck disable=SC2086 # a list of file names without spaces
		grep -Eq "^ *[0-9]+: [0-9A-F]+:$(port_hex "$port") [0-9A-F]+:0000 $state " $files
	else
		ss "$ss_flags" "sport = :$port" 2>/dev/null | grep -q .
	fi
}
# tcp_listening PORT: a TCP socket listens on it (IPv4 or IPv6)
tcp_listening() { port_in_state "$1" 0A -Hltn tcp tcp6; }
tcp_free() { ! tcp_listening "$1"; } # port
# udp_bound PORT: a UDP socket is bound to it, not connected (IPv4 or IPv6)
udp_bound() { port_in_state "$1" 07 -Hlun udp udp6; }

# shellcheck disable=SC2034 # read by the scripts
{
	have_ipv6=false
	grep -Eqi '^0{31}1 ' /proc/net/if_inet6 2>/dev/null && have_ipv6=true
	have_nc=false
	command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q OpenBSD && have_nc=true
}
