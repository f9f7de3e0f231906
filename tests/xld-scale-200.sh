#!/bin/bash
# xld-scale.sh with 200 idle guests: all 200 listed, 200 monitors, 201
# store homes (Domain-0's too), then all destroyed with nothing left.  Apart
# from xld-scale.sh (100) because in the test host it takes longer than a
# test should by default: 200 creates alone take 2-3 minutes there.
export XLD_SCALE_N=200
# the test host's time for it all, its boot included (tests/lib.sh)
export HVT_TESTHOST_TIMEOUT=${HVT_TESTHOST_TIMEOUT:-1500}
exec "${top_srcdir:?run through make check}/tests/xld-scale.sh"
