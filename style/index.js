import './base.css';
import './finetunes.css';
import './evaluations.css';
