#include "version.h"
int main(void) { return VERSION_MAJOR; }
