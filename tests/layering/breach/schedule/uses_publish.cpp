// A deliberate breach: the scheduler never sees the publisher (src/layers.cmake).
#include "publish/tableau_client.hpp"
#include "hyperpipe/extract.hpp"
