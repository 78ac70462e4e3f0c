#include "sparsepixels/workflow/demo.h"

#include <H5public.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <sstream>
#include <thread>

#include "sparsepixels/codegen/csim.h"
#include "sparsepixels/codegen/project.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "sparsepixels/estimate/estimator.h"
#include "sparsepixels/estimate/from_model.h"
#include "sparsepixels/eval/evaluation.h"
#include "sparsepixels/eval/metrics.h"
#include "sparsepixels/eval/roc_plot.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/process.h"
#include "sparsepixels/util/progress.h"

extern char** environ;

namespace sparsepixels::workflow {
namespace {

namespace fs = std::filesystem;

void say(const DemoOptions& options, const std::string& line) {
  if (options.progress != nullptr) *options.progress << line << "\n" << std::flush;
}

// Progress-bar options for the demo: drawn on options.progress_bars, if any.
util::ProgressOptions bar_options(const DemoOptions& options, const std::string& unit) {
  util::ProgressOptions bars;
  bars.stream = options.progress_bars;
  bars.unit = unit;
  return bars;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void check_options(const DemoOptions& options) {
  for (const std::string& name : options.models) {
    if (std::find(model_names().begin(), model_names().end(), name) == model_names().end())
      throw UsageError(
          fmt::format("models: unknown model '{}' (known: standard, sparse-t, sparse-s, sparse-m, "
                      "sparse-l)",
                      name));
  }
  if (options.out_dir.empty()) throw UsageError("--out: the output folder must not be empty");
  if (options.epochs < 0)
    throw UsageError(fmt::format("--epochs: must be at least 1, got {}", options.epochs));
  if (options.sparse_epochs < 0)
    throw UsageError(fmt::format("--sparse-epochs: must be at least 1, got {}", options.sparse_epochs));
  if (options.csim_events < 1)
    throw UsageError(fmt::format("--csim-events: must be at least 1, got {}", options.csim_events));
  if (options.threads < 0)
    throw UsageError(fmt::format("--threads: must be 0 (all) or more, got {}", options.threads));
  if (options.synthetic_events < 10)
    throw UsageError(fmt::format("synthetic events: at least 10 are needed for three splits, got {}",
                                 options.synthetic_events));
}

// Returns the dataset file, preparing MNIST once (reused when present) or generating the synthetic data.
std::string prepare_data(const DemoOptions& options, std::string& dataset) {
  std::optional<std::string> idx_folder;
  if (!options.synthetic) {
    const std::vector<std::string> folders =
        options.mnist_folders ? *options.mnist_folders
                              : data::mnist::default_mnist_folders(options.executable_path);
    for (const std::string& folder : folders) {
      if (data::mnist::has_idx_files(folder)) {
        idx_folder = folder;
        break;
      }
    }
    if (!idx_folder) {
      std::string tried;
      for (const std::string& folder : folders) tried += (tried.empty() ? "" : ", ") + folder;
      say(options,
          fmt::format("MNIST IDX files not found (searched: {}); running the neutrino configs on the "
                      "built-in generator instead, scored by AUC",
                      tried.empty() ? "no folders" : tried));
    }
  } else {
    say(options, "synthetic data requested: running the neutrino configs on the built-in generator");
  }

  if (idx_folder) {
    dataset = "mnist";
    const std::string path = (fs::path(options.out_dir) / "mnist.h5").string();
    if (fs::exists(path)) {
      data::read_dataset_info(path);  // a damaged file stops here with an error naming it
      say(options, fmt::format("data: reusing {}", path));
    } else {
      say(options, fmt::format("data: preparing sparse MNIST from {} into {}", *idx_folder, path));
      util::Progress bar("data: sparse MNIST", 0, bar_options(options, "events"));
      const util::ProgressTicker ticker(bar);
      data::mnist::prepare(*idx_folder, path);
    }
    return path;
  }
  dataset = "neutrino";
  const std::string path = (fs::path(options.out_dir) / "synthetic.h5").string();
  say(options, fmt::format("data: generating {} synthetic events (seed {}) into {}", options.synthetic_events,
                           options.synthetic_seed, path));
  data::synthetic::write_synthetic(path, options.synthetic_events, options.synthetic_seed);
  return path;
}

// The budget N of a model starting with InputReduce; unset for a standard model.
std::optional<int> budget_of(const model::Model& model) {
  if (model.size() > 0 && model.spec().layers.front().kind == spec::LayerKind::InputReduce)
    return model.spec().layers.front().n_active;
  return std::nullopt;
}

// One sparse model's convert + csim, run on a worker thread of the csim phase.
struct CsimJob {
  std::size_t row = 0;  // index into DemoResult::models
  std::string model_path, project;
  codegen::CsimReport report;
  std::exception_ptr failure;
  double seconds = 0;
};

// How many convert + csim jobs run at once: --threads (0: the hardware threads), at most one per job,
// and one when the HDF5 library (read by every csim) was built without thread safety.
int csim_parallelism(const DemoOptions& options, std::size_t jobs) {
  hbool_t threadsafe = 0;
  if (H5is_library_threadsafe(&threadsafe) < 0 || !threadsafe) return 1;
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t wanted = options.threads > 0 ? static_cast<std::size_t>(options.threads) : hardware;
  return static_cast<int>(std::max<std::size_t>(1, std::min(wanted, jobs)));
}

// Converts and C-simulates every job, `parallelism` at a time; each job records its report or failure.
void run_csim_jobs(std::vector<CsimJob>& jobs, int parallelism, const DemoOptions& options,
                   const std::string& data_path) {
  util::Progress bar("csim", jobs.size(), bar_options(options, "projects"));
  const util::ProgressTicker ticker(bar);
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t k = next++; k < jobs.size(); k = next++) {
      CsimJob& job = jobs[k];
      const auto start = std::chrono::steady_clock::now();
      try {
        codegen::ProjectOptions project_options;
        project_options.overwrite = true;
        codegen::write_project(job.model_path, job.project, project_options);
        codegen::CsimOptions csim_options;
        csim_options.data = data_path;
        csim_options.split = "test";
        csim_options.events = options.csim_events;
        job.report = codegen::run_csim(job.project, csim_options);
      } catch (...) {
        job.failure = std::current_exception();
      }
      job.seconds = seconds_since(start);
      bar.advance(1);
    }
  };
  std::vector<std::thread> workers;
  for (int w = 1; w < parallelism; ++w) workers.emplace_back(work);
  work();  // this thread is one of the workers
  for (std::thread& worker : workers) worker.join();
  bar.finish();
}

// A gnuplot single-quoted string: a quote inside is doubled.
std::string gnuplot_string(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// Draws the metric against N (sparse models as points, the standard model as a line); returns a
// warning, empty on success.
std::string plot_metric(const DemoResult& result, const DemoOptions& options) {
  const fs::path png(result.plot_path);
  const std::string data_path = fs::path(png).replace_extension(".dat").string();
  const std::string script_path = fs::path(png).replace_extension(".gp").string();
  const std::string log_path = fs::path(png).replace_extension(".gnuplot.log").string();
  util::AtomicFile png_file(result.plot_path);  // gnuplot draws into its temporary
  const std::string& temporary_png = png_file.temporary();
  const std::string metric = result.models.empty() ? "accuracy" : result.models.front().metric;

  std::ostringstream points;
  points << "# N " << metric << " name\n";
  std::optional<double> standard;
  for (const ModelResult& model : result.models) {
    if (model.n_active)
      points << *model.n_active << " " << fmt::format("{:.6f}", model.value) << " " << model.name << "\n";
    else
      standard = model.value;
  }
  util::write_file_atomically(data_path, points.str());

  std::ostringstream script;
  script << "# " << metric << " against N, written by sparsepixels demo; run again with: gnuplot "
         << script_path << "\n";
  script << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
            "  set terminal pngcairo size 800,600 noenhanced\n"
            "} else {\n"
            "  set terminal png size 800,600 noenhanced\n"
            "}\n";
  script << "set output " << gnuplot_string(temporary_png) << "\n";
  script << "set title " << gnuplot_string(fmt::format("{} against N ({})", metric, result.dataset)) << "\n";
  script << "set xlabel 'N (active pixels)'\nset ylabel " << gnuplot_string(metric) << "\n";
  script << "set offsets 2, 2, 0, 0\nset grid\nset key right bottom\nset yrange [0:1]\n";
  script << "plot " << gnuplot_string(data_path)
         << " using 1:2 with linespoints pointtype 7 title 'sparse models', '' using 1:2:3 with labels "
            "offset 0,1 "
            "notitle";
  if (standard) script << fmt::format(", {:.6f} with lines dashtype 2 title 'standard'", *standard);
  script << "\n";
  util::write_file_atomically(script_path, script.str());

  if (!eval::program_available(options.gnuplot))
    return fmt::format("{} not found: no plot drawn (the data is in {}, the script in {})", options.gnuplot,
                       data_path, script_path);
  const int status = util::run_program({options.gnuplot, script_path}, log_path);
  if (status != 0 || !eval::has_png_signature(temporary_png)) {
    return fmt::format("gnuplot failed (exit status {}; see {}): no plot drawn", status, log_path);
  }
  png_file.commit();
  return {};
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names{"standard", "sparse-t", "sparse-s", "sparse-m", "sparse-l"};
  return names;
}

std::size_t DemoResult::total_mismatches() const {
  std::size_t total = 0;
  for (const ModelResult& model : models) total += model.csim_mismatches.value_or(0);
  return total;
}

std::vector<std::string> default_examples_folders(const std::string& executable_path) {
  std::vector<std::string> folders;
  if (!executable_path.empty()) {
    fs::path folder = fs::absolute(fs::path(executable_path)).parent_path();
    for (int level = 0; level < 4 && !folder.empty(); ++level) {
      folders.push_back((folder / "examples").string());
      if (folder == folder.parent_path()) break;
      folder = folder.parent_path();
    }
  }
  folders.push_back("examples");
  return folders;
}

std::string locate_examples_folder(const std::vector<std::string>& candidates, const std::string& dataset) {
  std::string tried;
  for (const std::string& folder : candidates) {
    if (fs::is_regular_file(fs::path(folder) / dataset / "standard-8b.yml")) return folder;
    tried += (tried.empty() ? "" : ", ") + folder;
  }
  throw Error(
      fmt::format("example configs for '{}' not found (looked for {}/standard-8b.yml in: {}); pass "
                  "--examples DIR",
                  dataset, dataset, tried));
}

DemoResult run_demo(const DemoOptions& options) {
  check_options(options);
  std::error_code error;
  fs::create_directories(options.out_dir, error);
  if (error)
    throw Error(fmt::format("--out {}: cannot create the folder: {}", options.out_dir, error.message()));

  DemoResult result;
  result.data_path = prepare_data(options, result.dataset);
  const std::string examples =
      options.examples_dir.empty()
          ? locate_examples_folder(default_examples_folders(options.executable_path), result.dataset)
          : locate_examples_folder({options.examples_dir}, result.dataset);
  const std::string metric = result.dataset == "mnist" ? "accuracy" : "auc";

  say(options,
      fmt::format("reading up to {} train and {} val events of {}",
                  options.train_events == 0 ? std::string("all") : std::to_string(options.train_events),
                  options.val_events == 0 ? std::string("all") : std::to_string(options.val_events),
                  result.data_path));
  const data::DatasetInfo info = data::read_dataset_info(result.data_path);
  const auto count = [&](const std::string& split, std::size_t wanted) {
    const std::size_t available = info.split_sizes.at(split);
    return wanted == 0 ? available : std::min(wanted, available);
  };
  const data::Split train_split =
      data::read_split(result.data_path, "train", 0, count("train", options.train_events));
  const data::Split val_split =
      data::read_split(result.data_path, "val", 0, count("val", options.val_events));
  const std::size_t test_events = info.split_sizes.at("test");
  if (options.csim_events > test_events)
    throw UsageError(fmt::format("--csim-events {}: the test split of {} holds only {} events",
                                 options.csim_events, result.data_path, test_events));

  std::vector<CsimJob> csim_jobs;
  for (const std::string& name : options.models.empty() ? model_names() : options.models) {
    const std::string config = (fs::path(examples) / result.dataset / (name + "-8b.yml")).string();
    const fs::path folder = fs::path(options.out_dir) / name;
    fs::create_directories(folder);
    const std::string model_path = (folder / "model.json").string();

    ModelResult row;
    row.name = name;
    row.metric = metric;
    model::Model model(model::load_config(config), config);
    row.n_active = budget_of(model);
    row.bits = model.spec().defaults.weight ? model.spec().defaults.weight->width : 8;

    // The config's recipe (max_epochs, early stopping) unless an epoch budget was given.
    const int budget = row.n_active ? options.sparse_epochs : options.epochs;
    const int epochs = budget > 0 ? budget : model.spec().training.max_epochs;
    train::TrainOptions train_options;
    train_options.epochs = epochs;
    train_options.threads = options.threads;
    train_options.history_csv = (folder / "history.csv").string();
    // Epochs k/n as a bar on a terminal; the per-epoch figures are in history.csv.
    util::Progress bar(fmt::format("[{}] train", name), static_cast<std::size_t>(epochs),
                       bar_options(options, "epochs"));
    train_options.on_epoch = [&bar](const train::EpochRecord& record) {
      bar.update(static_cast<std::size_t>(record.epoch),
                 fmt::format("loss {:.4f}  val_loss {:.4f}", record.loss, record.val_loss));
    };
    train_options.on_log = [&options, &name](const std::string& message) {
      say(options, fmt::format("[{}] note: {}", name, message));
    };
    const auto start = std::chrono::steady_clock::now();
    train::TrainResult trained;
    {
      const util::ProgressTicker ticker(bar);
      trained = train::train(model, train_split, val_split, train_options);
    }
    bar.finish();
    const double seconds = seconds_since(start);
    row.train_seconds = seconds;
    row.epochs_run = static_cast<int>(trained.history.size());
    // The epoch whose parameters the model kept (the last one if the trainer did not say).
    const std::size_t kept =
        trained.best_epoch >= 1 && static_cast<std::size_t>(trained.best_epoch) <= trained.history.size()
            ? static_cast<std::size_t>(trained.best_epoch)
            : trained.history.size();
    const train::EpochRecord& best = trained.history.at(kept - 1);
    say(options,
        fmt::format("[{}] trained {} of at most {} epochs on {} events in {:.1f} s{}; best epoch {}: "
                    "loss {:.4f}, val_loss {:.4f}, val_acc {:.4f}",
                    name, row.epochs_run, epochs, train_split.size(), seconds,
                    trained.stopped_early ? " (stopped early)" : "", kept, best.loss, best.val_loss,
                    best.val_accuracy));
    // Throughput over the whole train() call: epochs x training events / wall time (validation included).
    row.train_events_per_s =
        seconds > 0 ? static_cast<double>(row.epochs_run) * static_cast<double>(train_split.size()) / seconds
                    : 0;
    model::save_model(model, model_path);

    eval::EvaluationOptions eval_options;
    eval_options.split = "test";
    eval_options.fixed = true;
    eval_options.threads = options.threads;
    const auto eval_start = std::chrono::steady_clock::now();
    eval::Evaluation evaluation;
    {
      // eval::evaluate reports no progress: a spinner with the elapsed time.
      util::Progress eval_bar(fmt::format("[{}] eval", name), 0, bar_options(options, "events"));
      const util::ProgressTicker ticker(eval_bar);
      evaluation = eval::evaluate(model, model_path, result.data_path, eval_options);
    }
    const double eval_seconds = seconds_since(eval_start);
    if (metric == "accuracy") {
      row.value = evaluation.accuracy;
    } else {
      if (!evaluation.binary || !evaluation.binary->auc)
        throw Error(fmt::format("{}: AUC undefined on the test split of {}: {}", model_path, result.data_path,
                                evaluation.binary ? evaluation.binary->undefined_reason
                                                  : std::string("the model is not a binary classifier")));
      row.value = *evaluation.binary->auc;
    }
    say(options, fmt::format("[{}] test {} = {:.4f} on {} events (bit-exact fixed point), {:.1f} s", name,
                             metric, row.value, test_events, eval_seconds));

    estimate::FromModelOptions mapping;
    mapping.use_weight_sparsity = true;
    const estimate::DesignEstimate estimated =
        estimate::estimate_design(estimate::design_from_model(model, model_path, mapping));
    row.latency_cycles = estimated.latency_cycles;
    row.clock_ns = estimated.clock_ns;

    if (row.n_active) {
      CsimJob job;
      job.row = result.models.size();
      job.model_path = model_path;
      job.project = (folder / "hls").string();
      csim_jobs.push_back(std::move(job));
    }
    result.models.push_back(row);
  }

  // Convert + csim of the sparse models, in parallel once every model is trained (so that training
  // throughput is measured alone); reported in table order whatever the order they finish in.
  if (!csim_jobs.empty()) {
    result.csim_jobs = csim_parallelism(options, csim_jobs.size());
    say(options, fmt::format("csim: writing {} HLS projects and running each on the first {} test events, "
                             "{} at a time",
                             csim_jobs.size(), options.csim_events, result.csim_jobs));
    const auto start = std::chrono::steady_clock::now();
    run_csim_jobs(csim_jobs, result.csim_jobs, options, result.data_path);
    result.csim_phase_seconds = seconds_since(start);
    for (const CsimJob& job : csim_jobs) {
      ModelResult& row = result.models[job.row];
      if (job.failure) std::rethrow_exception(job.failure);
      row.csim_events = job.report.events;
      row.csim_mismatches = job.report.mismatches;
      row.csim_seconds = job.seconds;
      say(options, fmt::format("[{}] csim ({}): {} events, {} mismatches, {:.1f} s", row.name, job.project,
                               job.report.events, job.report.mismatches, job.seconds));
      if (job.report.mismatches > 0) say(options, job.report.details);
    }
    say(options,
        fmt::format("csim: {} projects in {:.1f} s wall time", csim_jobs.size(), result.csim_phase_seconds));
  }

  result.summary_path = (fs::path(options.out_dir) / "summary.json").string();
  result.table_path = (fs::path(options.out_dir) / "table.txt").string();
  result.plot_path = (fs::path(options.out_dir) / (metric + "_vs_n.png")).string();
  util::write_file_atomically(result.summary_path, summary_json(result).dump(2) + "\n");
  util::write_file_atomically(result.table_path, format_table(result));
  result.plot_warning = plot_metric(result, options);
  return result;
}

std::string format_table(const DemoResult& result) {
  const std::string metric = result.models.empty() ? "accuracy" : result.models.front().metric;
  std::ostringstream text;
  text << fmt::format("{:<10} {:>4} {:>9} {:>15} {:>13} {:>16}\n", "model", "N", metric, "latency cycles",
                      "latency (us)", "csim mismatches");
  for (const ModelResult& model : result.models) {
    const double microseconds = static_cast<double>(model.latency_cycles) * model.clock_ns / 1000.0;
    const std::string csim = model.csim_mismatches
                                 ? fmt::format("{} / {}", *model.csim_mismatches, model.csim_events)
                                 : std::string("-");
    text << fmt::format("{:<10} {:>4} {:>9.4f} {:>15} {:>13.3f} {:>16}\n", model.name,
                        model.n_active ? std::to_string(*model.n_active) : std::string("-"), model.value,
                        model.latency_cycles, microseconds, csim);
  }
  if (!result.models.empty())
    text << fmt::format("dataset: {}; latency in µs at a {} ns clock; csim: mismatching outputs / events\n",
                        result.dataset, result.models.front().clock_ns);
  return text.str();
}

nlohmann::json summary_json(const DemoResult& result) {
  nlohmann::json models = nlohmann::json::array();
  nlohmann::json throughput = nlohmann::json::object();
  for (const ModelResult& model : result.models) {
    nlohmann::json entry;
    entry["name"] = model.name;
    entry["n_active"] = model.n_active ? nlohmann::json(*model.n_active) : nlohmann::json(nullptr);
    entry["bits"] = model.bits;
    entry["metric"] = model.metric;
    entry["value"] = model.value;
    entry["csim_events"] = model.csim_events;
    entry["csim_mismatches"] =
        model.csim_mismatches ? nlohmann::json(*model.csim_mismatches) : nlohmann::json(nullptr);
    entry["latency_cycles"] = model.latency_cycles;
    models.push_back(entry);
    throughput[model.name] = model.train_events_per_s;
  }
  return {{"dataset", result.dataset}, {"models", models}, {"train_events_per_s", throughput}};
}

}  // namespace sparsepixels::workflow
