# Fifty equal guest cores filling the admissible share (build.sh test,
# "admitted guest cores"): nothing of the kernel runs during the run, so
# none may miss. Admission charges each core its slice plus the kernel's
# per-period overhead measured at boot (budget timer, release, two
# switches, with margin: 6.32 us under -icount), so 50 x (1993 us + 6.32
# us) = 99.97 ms of every 100 ms: all fifty are admitted at share 100%,
# and one more microsecond of slice each would refuse the last.
scheduler edf
duration 1s
share 100%

guest name=g00 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g01 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g02 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g03 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g04 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g05 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g06 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g07 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g08 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g09 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g10 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g11 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g12 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g13 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g14 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g15 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g16 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g17 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g18 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g19 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g20 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g21 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g22 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g23 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g24 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g25 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g26 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g27 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g28 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g29 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g30 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g31 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g32 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g33 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g34 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g35 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g36 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g37 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g38 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g39 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g40 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g41 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g42 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g43 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g44 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g45 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g46 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g47 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g48 workload=hog
  vcore period=100ms slice=1993us
end
guest name=g49 workload=hog
  vcore period=100ms slice=1993us
end
