// Untrusted HDF5 files (issue 18): libhdf5 1.10.8 crashes or hangs on some corrupt metadata, so the
// readers check a file in a child process first. Byte-flipped dataset files are errors naming the
// file, never a crash or a hang of the reader; a dataset declaring more than it stores is refused
// before anything is read.

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/hdf5_check.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace {

using namespace sparsepixels;
using namespace sparsepixels::data;
using sparsepixels::testing::TemporaryFolder;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Everything a command does with a dataset file: its description, then every split in chunks.
void read_everything(const std::string& path) {
  const DatasetInfo info = read_dataset_info(path);
  for (const auto& [split, events] : info.split_sizes) {
    SplitReader reader(path, split, 64);
    Split chunk;
    while (reader.next(chunk)) {
    }
  }
}

class Hdf5Check : public ::testing::Test {
 protected:
  // Hangs are cut after 1 s here (30 s by default) so that the test stays short.
  void SetUp() override { setenv("SPARSEPIXELS_HDF5_CHECK_SECONDS", "1", 1); }
  void TearDown() override { unsetenv("SPARSEPIXELS_HDF5_CHECK_SECONDS"); }
};

TEST_F(Hdf5Check, ByteFlippedFilesAreErrorsNamingTheFileNeverCrashes) {
  TemporaryFolder folder;
  int refused_in_the_child = 0, errors = 0, readable = 0;
  for (const DatasetLayout layout : {DatasetLayout::dense, DatasetLayout::sparse}) {
    const std::string original = folder.file("original.h5");
    synthetic::write_synthetic(original, 150, 23, {}, layout);
    const std::string bytes = read_bytes(original);
    ASSERT_GT(bytes.size(), 8192u);
    std::mt19937 random(layout == DatasetLayout::dense ? 404 : 8080);
    for (int variant = 0; variant < 100; ++variant) {
      std::string flipped = bytes;
      const int flips = 1 + static_cast<int>(random() % 4);
      for (int f = 0; f < flips; ++f) {
        // Mostly the first 4 KiB (superblock, root group, object headers), sometimes anywhere.
        const std::size_t at = random() % 5 != 0 ? random() % 4096 : random() % flipped.size();
        flipped[at] = static_cast<char>(random() % 256);
      }
      const std::string path = folder.file("flipped-" + std::to_string(variant) + ".h5");
      write_bytes(path, flipped);
      try {
        read_everything(path);
        ++readable;
      } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        ++errors;
        if (message.find("corrupt HDF5 metadata") != std::string::npos) ++refused_in_the_child;
      }
    }
  }
  // The seeds above give files on which libhdf5 itself crashes or hangs: the child took them.
  EXPECT_GT(refused_in_the_child, 0);
  EXPECT_GT(errors, refused_in_the_child);
  EXPECT_GT(readable, 0);
}

// A chunked dataset whose declared rows need more chunks than the file stores (a few hundred bytes
// claiming billions of events) is refused by the check, before any reader would loop over fill values.
TEST_F(Hdf5Check, ADatasetDeclaringMoreThanItStoresIsRefused) {
  TemporaryFolder folder;
  for (const hsize_t declared : {hsize_t{5000}, hsize_t{3'000'000'000}, hsize_t{1} << 41}) {
    const std::string path = folder.file("declared-" + std::to_string(declared) + ".h5");
    synthetic::write_synthetic(path, 300, 3, {}, DatasetLayout::dense);
    {
      H5::H5File file(path, H5F_ACC_RDWR);
      file.unlink("/test/x");
      const hsize_t dims[3] = {declared, 63, 63}, chunk[3] = {256, 63, 63};
      H5::DSetCreatPropList creation;
      creation.setChunk(3, chunk);
      file.createDataSet("/test/x", H5::PredType::IEEE_F32LE, H5::DataSpace(3, dims), creation);
    }
    for (const auto& action : {std::function<void()>([&] { read_dataset_info(path); }),
                               std::function<void()>([&] { SplitReader reader(path, "test", 64); })}) {
      try {
        action();
        ADD_FAILURE() << "no error for " << declared << " declared events";
      } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path + ": /test/x: declares " + std::to_string(declared) + " x 63 x 63"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("but stores 0"), std::string::npos) << message;
      }
    }
  }
}

// libhdf5 is built thread-safe (one global lock): a child forked while another thread is inside
// libhdf5 would wait for that lock forever. The check forks while holding it, so other threads
// reading HDF5 at the same time never make it time out (the demo reads and checks from several threads).
TEST_F(Hdf5Check, OtherThreadsInsideTheLibraryDoNotHangTheCheck) {
  TemporaryFolder folder;
  const std::string path = folder.file("busy.h5");
  synthetic::write_synthetic(path, 400, 8, {}, DatasetLayout::dense);
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    // Straight HDF5 calls in a loop, so that this thread holds the library's lock most of the time.
    const H5::H5File file(path, H5F_ACC_RDONLY);
    const H5::DataSet x = file.openDataSet("/train/x");
    std::vector<float> values(static_cast<std::size_t>(x.getSpace().getSimpleExtentNpoints()));
    while (!stop) {
      x.read(values.data(), H5::PredType::NATIVE_FLOAT);
      // A pause between reads (the library's lock is not fair: a thread that never lets go of it
      // would keep every other thread out, forking or not).
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  int refused = 0;
  for (int check = 0; check < 30; ++check) {
    try {
      check_hdf5_file(path);
    } catch (const Error& error) {
      ++refused;
      ADD_FAILURE() << error.what();
      if (refused == 3) break;
    }
  }
  stop = true;
  reader.join();
}

TEST_F(Hdf5Check, TheTimeLimitVariableIsChecked) {
  for (const char* bad : {"0", "-4", "2.5", "3601", "ten", "99999999999999999999"}) {
    setenv("SPARSEPIXELS_HDF5_CHECK_SECONDS", bad, 1);
    try {
      hdf5_check_limit();
      ADD_FAILURE() << bad;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("SPARSEPIXELS_HDF5_CHECK_SECONDS"), std::string::npos);
    }
  }
  setenv("SPARSEPIXELS_HDF5_CHECK_SECONDS", "7", 1);
  EXPECT_EQ(hdf5_check_limit(), std::chrono::seconds(7));
}

}  // namespace
