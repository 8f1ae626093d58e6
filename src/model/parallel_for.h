#pragma once

// at::parallel_for for the model's own loops. Its OpenMP region (ATen/ParallelOpenMP.h,
// under _OPENMP) is compiled into the file that calls it: a file compiled without -fopenmp
// runs every at::parallel_for on one thread, silently. Files that include this one are
// listed in CMakeLists.txt with -fopenmp; one that is not stops here.
#include <ATen/Parallel.h>

#ifndef _OPENMP
#error "compile with -fopenmp (CMakeLists.txt): without it at::parallel_for runs on one thread"
#endif
