#include <stdio.h>

int main(void) {
    puts("foo 1.0");
    return 0;
}
