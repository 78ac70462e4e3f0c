# build_prj.tcl: Vitis HLS 2023.1 project for {{name}} (vitis_hls -f build_prj.tcl).
# Steps: set csim, synth, cosim, export below (or pass "csim=0 synth=1 ..." after -tclargs).
# Vitis uses its own ap types: firmware/ap_types/ is never added here.
array set opt {
  csim   1
  synth  1
  cosim  0
  export 0
}
foreach arg $::argv {
  foreach {key value} [split $arg =] {
    if {[info exists opt($key)]} { set opt($key) $value }
  }
}

open_project -reset {{name}}_prj
set_top {{name}}
add_files firmware/{{name}}.cpp -cflags "-std=c++14"
add_files -tb {{name}}_test.cpp -cflags "-std=c++14 -Wno-unknown-pragmas"
add_files -tb firmware/weights
add_files -tb tb_data
open_solution -reset "solution1" -flow_target vivado
set_part {{{part}}}
create_clock -period {{clock_ns}} -name default
set_clock_uncertainty {{clock_uncertainty_percent}}%

if {$opt(csim)} { csim_design }
if {$opt(synth)} { csynth_design }
if {$opt(cosim)} { cosim_design }
if {$opt(export)} { export_design -format ip_catalog }
exit
