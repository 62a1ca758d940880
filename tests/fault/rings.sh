#!/bin/bash
# Damaged shm rings: every field of the header (struct ring_hdr in
# include/ipcdemo/ring.h, its offsets found by compiling offsetof() at
# test time) set to extreme values, then random bytes at random offsets,
# a truncated object and a sparse one larger than /dev/shm, and damage
# done under a consumer that polls the ring (--spin). Each time
# info, a non-blocking consumer, a non-blocking producer and unlink must
# refuse or report: end within a few seconds (never our time limit, 124),
# without a crash (134, 135, 139), and never deliver more messages than a
# ring of that size can hold (stale slots delivered again and again).
# shellcheck source=tests/fault/lib.sh
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1 || ! $have_python; then
	echo "1..0 # SKIP needs a C compiler (for the header's offsets) and python3"
	exit 0
fi
INC="$FAULT_DIR/../../include"
cat >offsets.c <<'EOF'
#include <stddef.h>
#include <stdio.h>
#include "ipcdemo/ring.h"
#define F(f) printf("%s %zu %zu\n", #f, offsetof(struct ring_hdr, f), sizeof(((struct ring_hdr *)0)->f))
int main(void)
{
	F(magic); F(version); F(hdr_size); F(slots); F(slot_size); F(stride); F(ready); F(lock);
	F(head); F(tail); F(data_seq); F(space_seq); F(data_waiters); F(space_waiters);
	F(recovered); F(put); F(taken);
	printf("total %zu 0\n", sizeof(struct ring_hdr));
	return 0;
}
EOF
if ! "$CC" -I"$INC" -o offsets offsets.c -pthread 2>offsets.err; then
	echo "1..0 # SKIP cannot compile the offsets of struct ring_hdr: $(head -n 1 offsets.err)"
	exit 0
fi
./offsets >offsets.txt
echo "# struct ring_hdr: $(tr '\n' ' ' <offsets.txt)"

SLOTS=4
SLOT_SIZE=64
NAME=/fault-ring
OBJ=/dev/shm${NAME}
MAX_LINES=$((SLOTS * SLOT_SIZE)) # far more than a ring this size holds
LIMIT=5                           # seconds: "a few", generous under load
CASES=0
BAD=0

# poke OFFSET FORMAT VALUE / poke_bytes OFFSET HEX: write into the object.
poke() {
	python3 -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); f.write(struct.pack(sys.argv[3], int(sys.argv[4], 0)))' "$OBJ" "$1" "$2" "$3"
}
poke_bytes() {
	python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); f.write(bytes.fromhex(sys.argv[3]))' "$OBJ" "$1" "$2"
}
peek() { # OFFSET FORMAT: the number there
	python3 -c 'import struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(int(sys.argv[2])); print(struct.unpack(sys.argv[3], f.read(struct.calcsize(sys.argv[3])))[0])' "$OBJ" "$1" "$2"
}
off_of() { awk -v f="$1" '$1 == f { print $2 }' offsets.txt; }
size_of() { awk -v f="$1" '$1 == f { print $3 }' offsets.txt; }

fresh_ring() { # a ring with messages in it, and room left
	"$IPCDEMO" shm unlink -q --name "$NAME" 2>/dev/null
	"$IPCDEMO" shm produce -q --name "$NAME" --slots "$SLOTS" --slot-size "$SLOT_SIZE" --seq --id 1 \
		--source counter -n 3 || echo "# could not make a ring"
}

# try LABEL: every verb on the damaged ring, each bounded.
try() {
	local label=$1 verb st lines fails=""
	CASES=$((CASES + 1))
	for verb in info consume produce unlink; do
		case $verb in
		info) timeout -k 1 "$LIMIT" "$IPCDEMO" shm info --name "$NAME" >v.out 2>v.err ;;
		consume) (ulimit -f 20480; timeout -k 1 "$LIMIT" "$IPCDEMO" shm consume --nonblock --verify \
			--name "$NAME" >v.out 2>v.err) ;;
		produce) timeout -k 1 "$LIMIT" "$IPCDEMO" shm produce --nonblock -q --name "$NAME" x y >v.out 2>v.err ;;
		unlink) timeout -k 1 "$LIMIT" "$IPCDEMO" shm unlink -q --name "$NAME" >v.out 2>v.err ;;
		esac
		st=$?
		documented "$st" || fails+=" $verb: status $st ($(head -c 200 v.err | tr '\n' ' '));"
		if [ "$verb" = consume ]; then
			lines=$(wc -l <v.out)
			[ "$lines" -le "$MAX_LINES" ] || fails+=" consume: $lines messages from a ring of $SLOTS slots;"
		fi
	done
	if [ -z "$fails" ]; then
		_t_report 0 "$label"
	else
		BAD=$((BAD + 1))
		_t_report 1 "$label" "$fails"
	fi
}

# ---- every header field, extreme values ----------------------------------
U32=(0 1 0x7fffffff 0x80000000 0xffffffff)
U64=(0 1 0x7fffffffffffffff 0x8000000000000000 0xffffffffffffffff)
while read -r field off size <&3; do
	[ "$field" = total ] && continue
	case $field in
	magic)
		fresh_ring
		poke_bytes "$off" "$(python3 -c "import random; random.seed($SEED); print(random.randbytes(8).hex())")"
		try "magic: random bytes"
		;;
	lock)
		fresh_ring
		poke_bytes "$off" "$(printf 'ff%.0s' $(seq "$size"))"
		try "lock: every byte 0xff"
		fresh_ring
		poke_bytes "$off" "$(python3 -c "import random; random.seed($SEED); print(random.randbytes($size).hex())")"
		try "lock: random bytes"
		# The lock word and owner naming a live thread that never unlocks
		# (issue 10, item 4): the lock word and __owner of glibc's mutex.
		sleep 60 &
		local_sleeper=$!
		fresh_ring
		poke "$off" '<I' "$local_sleeper"
		poke "$((off + 8))" '<I' "$local_sleeper"
		try "lock: held by a live process that never unlocks"
		kill "$local_sleeper" 2>/dev/null
		wait "$local_sleeper" 2>/dev/null
		;;
	*)
		if [ "$size" = 8 ]; then
			fmt='<Q'
			vals=("${U64[@]}")
		else
			fmt='<I'
			vals=("${U32[@]}")
		fi
		for v in "${vals[@]}"; do
			fresh_ring
			poke "$off" "$fmt" "$v"
			try "$field = $v"
		done
		;;
	esac
done 3<offsets.txt

# head and tail moved relative to each other (issue 10, item 3).
ho=$(off_of head)
to=$(off_of tail)
for rel in 'tail+100000000' 'tail+5' 'tail-1' 'head+1'; do
	fresh_ring
	h=$(peek "$ho" '<Q')
	t=$(peek "$to" '<Q')
	case $rel in
	tail+*) poke "$ho" '<Q' "$((t + ${rel#tail+}))" ;;
	tail-1) poke "$ho" '<Q' "$((t > 0 ? t - 1 : 0))"; poke "$to" '<Q' "$((t > 0 ? t : 1))" ;;
	head+1) poke "$to" '<Q' "$((h + 1))" ;;
	esac
	try "head/tail: ${rel/+/ + }"
done

# ---- random bytes at random offsets --------------------------------------
hdr=$(off_of total)
ROUNDS=$((N * 10))
for r in $(seq "$ROUNDS"); do
	fresh_ring
	total=$(stat -c %s "$OBJ")
	k=$(rand_between 1 8)
	where=""
	for _ in $(seq "$k"); do
		if [ $((RANDOM % 2)) = 0 ]; then off=$((RANDOM % hdr)); else off=$((RANDOM % total)); fi
		poke_bytes "$off" "$(printf '%02x' $((RANDOM % 256)))"
		where+=" $off"
	done
	try "random bytes, round $r, at offsets$where"
done

# ---- damaged under a polling consumer (shm --spin) ------------------------
# A consumer polls the empty ring's data_seq without the lock; whatever
# changes under it, it must look again under the lock within a slice
# (250 ms), see the damage, say so and end: with the word bumped, without
# it, and with the object cut to 7 bytes.
spin_try() { # LABEL DAMAGE...: run DAMAGE while a consumer polls
	local label=$1 st pid
	shift
	CASES=$((CASES + 1))
	fresh_ring
	"$IPCDEMO" shm consume -q --nonblock --name "$NAME" >/dev/null 2>&1
	timeout -k 1 "$LIMIT" "$IPCDEMO" shm consume --spin 60s --name "$NAME" >v.out 2>v.err &
	pid=$!
	sleep 0.5
	"$@"
	wait "$pid"
	st=$?
	if documented "$st" && [ "$st" != 0 ] && grep -q 'damaged ring' v.err; then
		_t_report 0 "$label"
	else
		BAD=$((BAD + 1))
		_t_report 1 "$label" "status $st ($(head -c 200 v.err | tr '\n' ' '))"
	fi
}
far_head() { poke "$ho" '<Q' "$(($(peek "$to" '<Q') + 100000000))"; }
bump_data_seq() { poke "$(off_of data_seq)" '<I' "$((($(peek "$(off_of data_seq)" '<I') + 1) % 4294967296))"; }
far_head_bumped() { far_head && bump_data_seq; }
spin_try "--spin: head moved far, data_seq bumped, under a polling consumer" far_head_bumped
spin_try "--spin: head moved far, data_seq unchanged, under a polling consumer" far_head
spin_try "--spin: object cut to 7 bytes under a polling consumer" truncate -s 7 "$OBJ"

# ---- the object's size -----------------------------------------------------
fresh_ring
truncate -s "$hdr" "$OBJ"
try "object cut to its header"
fresh_ring
truncate -s 7 "$OBJ"
try "object cut to 7 bytes"
fresh_ring
truncate -s 64G "$OBJ" # sparse, far beyond the 512 MiB tmpfs (issue 10, item 5)
try "object grown sparse beyond /dev/shm"
"$IPCDEMO" shm unlink -q --name "$NAME" 2>/dev/null

echo "# damaged rings: $CASES tried, $BAD hung, crashed or overflowed"
summary_line "damaged shm rings: $CASES damaged rings tried (every header field, $ROUNDS random-byte rounds, truncated, sparse), $BAD hung or crashed"
done_testing
