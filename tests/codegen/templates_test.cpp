// The project templates: the fill convention of src/codegen/templates.cpp, the embedded copies equal to the
// files of src/codegen/templates/vivado/ byte for byte, and `convert` run from a folder outside the source
// tree (templates built into the binary, kernel headers found without SPARSEPIXELS_HLS_DIR).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <set>

#include "codegen_fixture.h"
#include "sparsepixels/error.h"
#include "templates.h"

namespace {

namespace fs = std::filesystem;
namespace codegen = sparsepixels::codegen;
using codegen_test::TemporaryFolder;

TEST(CodegenTemplates, FillsNamedPlaceholders) {
  EXPECT_EQ(codegen::fill("void {{name}}(int n = {{n}});", {{"name", "top"}, {"n", 3}}, "test"),
            "void top(int n = 3);");
  // Values no placeholder uses are allowed; a double is written as fmt writes it.
  EXPECT_EQ(codegen::fill("clock {{clock}} ns", {{"clock", 2.5}, {"unused", "x"}}, "test"), "clock 2.5 ns");
  // Other braces are plain text: Tcl, shell and C++ read as usual.
  EXPECT_EQ(codegen::fill("set_part {{{part}}}", {{"part", "xc7"}}, "test"), "set_part {xc7}");
  EXPECT_EQ(codegen::fill("CXX=\"${CXX:-g++}\" { {{ }} {{Upper}} {{1}}", {}, "test"),
            "CXX=\"${CXX:-g++}\" { {{ }} {{Upper}} {{1}}");
}

TEST(CodegenTemplates, InsertMarkersTakeWholeLines) {
  const std::string text = "begin\n{{block}}\nend\n";
  EXPECT_EQ(codegen::fill(text, {{"block", "one\ntwo\n"}}, "test"), "begin\none\ntwo\nend\n");
  // An empty block leaves no blank line.
  EXPECT_EQ(codegen::fill(text, {{"block", ""}}, "test"), "begin\nend\n");
  EXPECT_THROW(codegen::fill(text, {{"block", "no newline"}}, "test"), sparsepixels::Error);
}

TEST(CodegenTemplates, MissingValueNamesThePlaceholder) {
  try {
    codegen::fill("a {{missing}} b", {{"other", 1}}, "firmware/defines.h");
    ADD_FAILURE() << "no error";
  } catch (const sparsepixels::Error& error) {
    EXPECT_NE(std::string(error.what()).find("firmware/defines.h"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("{{missing}}"), std::string::npos) << error.what();
  }
}

// Every file of src/codegen/templates/vivado/ is embedded exactly once, byte for byte.
TEST(CodegenTemplates, EmbeddedCopiesEqualTheSourceFiles) {
  const fs::path folder = fs::path(SPARSEPIXELS_SOURCE_DIR) / "src" / "codegen" / "templates" / "vivado";
  std::set<std::string> on_disk, embedded;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) on_disk.insert(fs::relative(entry.path(), folder).generic_string());
  }
  for (const auto& file : codegen::embedded_templates()) {
    EXPECT_TRUE(embedded.insert(std::string(file.path)).second) << file.path;
    EXPECT_EQ(std::string(file.text), codegen_test::read_text(folder / file.path)) << file.path;
  }
  EXPECT_EQ(embedded, on_disk);
  for (const char* path :
       {"build_prj.tcl", "build_lib.sh", "README.md", "myproject_test.cpp", "myproject_bridge.cpp",
        "sparsepixels_config.yml", "firmware/myproject.cpp", "firmware/myproject.h", "firmware/defines.h",
        "firmware/parameters.h", "firmware/trace.h", "firmware/weights/array.h"}) {
    EXPECT_FALSE(codegen::template_text(path).empty()) << path;
  }
  EXPECT_THROW(codegen::template_text("no/such/template"), sparsepixels::Error);
}

// `sparsepixels convert` run from a temporary folder: nothing is looked up relative to the working folder.
TEST(CodegenTemplates, ConvertRunsFromAnyFolder) {
  TemporaryFolder folder("codegen-cwd");
  const std::string model =
      codegen_test::save_random_model(codegen_test::example("mnist/sparse-t-8b"), 51, folder.path());
  const fs::path work = folder.path() / "elsewhere";
  fs::create_directories(work);
  // The build tree's binary, SPARSEPIXELS_HLS_DIR unset: templates and kernel headers come from the binary.
  const fs::path log = folder.path() / "log.txt";
  const int status =
      std::system(fmt::format("cd '{}' && env -u SPARSEPIXELS_HLS_DIR '{}' convert '{}' --out project "
                              "--name cwd_top > '{}' 2>&1",
                              work.string(), SPARSEPIXELS_CLI, model, log.string())
                      .c_str());
  ASSERT_EQ(status, 0) << codegen_test::read_text(log);
  const fs::path project = work / "project";
  for (const char* file :
       {"build_prj.tcl", "build_lib.sh", "README.md", "cwd_top_test.cpp", "cwd_top_bridge.cpp",
        "sparsepixels_config.yml", "firmware/cwd_top.cpp", "firmware/cwd_top.h", "firmware/defines.h",
        "firmware/parameters.h", "firmware/trace.h", "firmware/nnet_utils/nnet_sparse_conv.h",
        "firmware/ap_types/ap_fixed.h"}) {
    EXPECT_TRUE(fs::is_regular_file(project / file)) << file;
  }
  EXPECT_NE(codegen_test::read_text(project / "firmware" / "cwd_top.cpp").find("void cwd_top(input_t"),
            std::string::npos);
  EXPECT_FALSE(fs::is_empty(project / "firmware" / "weights"));
}

}  // namespace
