# Cross build for 64-bit ARM Linux with Debian's cross compiler (g++-aarch64-linux-gnu) against
# the arm64 libraries of a multiarch Debian (dpkg --add-architecture arm64), the test programs
# run under QEMU's user-mode emulator (qemu-user). Used by scripts/check aarch64, with
# -DW2V_CORE_ONLY=ON: only core's libraries (oneTBB, GoogleTest) are installed for arm64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Look for libraries and packages in the arm64 multiarch directories (/usr/lib/aarch64-linux-gnu)
# and never in the host's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
