#include <cstdio>
int main() { std::puts("vouch: command-line tool under construction"); return 1; }
